import { Size } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SUBNETS } from './network.js';

/**
 * Fargate creates task volumes as root:root 0755, so the app (user `node`) could not write /tmp. A one-shot
 * container from the same image opens it up (sticky, like a normal /tmp) and exits before `container`
 * starts; it has no port and no network listener.
 */
export function addWritableTmp(
  taskDefinition: ecs.TaskDefinition,
  container: ecs.ContainerDefinition,
  image: ecs.ContainerImage,
  logGroup: logs.ILogGroup,
): void {
  taskDefinition.addVolume({ name: 'tmp' });
  container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
  const scratchPermissions = taskDefinition.addContainer('ScratchPermissions', {
    image,
    essential: false,
    user: '0',
    readonlyRootFilesystem: true,
    command: ['chmod', '1777', '/tmp'],
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'init' }),
  });
  scratchPermissions.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
  container.addContainerDependencies({ container: scratchPermissions, condition: ecs.ContainerDependencyCondition.SUCCESS });
}

export interface OneOffTaskProps {
  image: ecs.ContainerImage;
  logGroup: logs.ILogGroup;
  /** Fixed, so key and bucket policies can name it (roles.ts). */
  roleName: string;
  description: string;
  containerName: string;
  command: string[];
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
}

/**
 * A command of the app image run to completion (migrate, backup, restore drill), with its own task role and
 * its own execution role: nothing it may read or decrypt is reachable from the web tasks, and the other way
 * round.
 */
export class OneOffTask extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly role: iam.Role;
  readonly container: ecs.ContainerDefinition;

  constructor(scope: Construct, id: string, props: OneOffTaskProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: props.description,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 1024,
      memoryLimitMiB: 2048,
      taskRole: this.role,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.container = this.taskDefinition.addContainer(props.containerName, {
      image: props.image,
      command: props.command,
      readonlyRootFilesystem: true,
      user: 'node',
      logging: ecs.LogDrivers.awsLogs({
        logGroup: props.logGroup,
        streamPrefix: props.containerName.toLowerCase(),
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
      environment: props.environment,
      secrets: props.secrets,
    });
    addWritableTmp(this.taskDefinition, this.container, props.image, props.logGroup);
  }

  /** Runs the task on a schedule (EventBridge, UTC) in the app subnets with the app's security group. */
  schedule(id: string, cluster: ecs.ICluster, securityGroup: ec2.ISecurityGroup, schedule: events.Schedule, description: string): events.Rule {
    return new events.Rule(this, id, {
      description,
      schedule,
      targets: [
        new targets.EcsTask({
          cluster,
          taskDefinition: this.taskDefinition,
          launchType: ecs.LaunchType.FARGATE,
          subnetSelection: { subnetGroupName: SUBNETS.app },
          securityGroups: [securityGroup],
          propagateTags: ecs.PropagatedTagSource.TASK_DEFINITION,
        }),
      ],
    });
  }
}
