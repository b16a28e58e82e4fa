import { Stack, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { PRIMARY_AVAILABILITY_ZONES } from './region.js';

export interface NetworkStackProps extends StackProps {
  /** Encrypts the VPC flow log group. */
  logsKey: kms.IKey;
  logRetention: logs.RetentionDays;
}

/** Subnet group names, shared with the stacks that place things in them. */
export const SUBNETS = {
  /** Load balancer and NAT gateways only. */
  public: 'edge',
  /** Fargate tasks, interface endpoints; outbound internet (Razorpay, SMTP, Sentry) through NAT. */
  app: 'app',
  /** The database and its rotation function; no route to the internet at all. */
  data: 'data',
} as const;

/**
 * One VPC over three zones. The app and the database sit in private subnets; the only public thing
 * is the load balancer. AWS APIs the app calls (S3, KMS, Secrets Manager, ECR, CloudWatch Logs,
 * SSM for ECS Exec) are reached through VPC endpoints, so that traffic never leaves AWS's network.
 */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      availabilityZones: [...PRIMARY_AVAILABILITY_ZONES],
      // One NAT gateway per zone: losing a zone must not cut the other zones' tasks off from Razorpay.
      natGateways: PRIMARY_AVAILABILITY_ZONES.length,
      subnetConfiguration: [
        { name: SUBNETS.public, subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: SUBNETS.app, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: SUBNETS.data, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    const interfaceEndpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      Kms: ec2.InterfaceVpcEndpointAwsService.KMS,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      // ECS Exec sessions travel over SSM messages.
      SsmMessages: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
    };
    for (const [name, service] of Object.entries(interfaceEndpoints)) {
      // `open: true` admits HTTPS from the VPC's own range only, never from the internet.
      this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        open: true,
        subnets: { subnetGroupName: SUBNETS.app },
      });
    }
  }
}
