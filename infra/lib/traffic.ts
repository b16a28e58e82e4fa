import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { DATABASE_PORT } from './database.js';

/**
 * Paths the app refuses over plain HTTP with 403 (an API key or a webhook signature sent in clear text
 * is already leaked; redirecting would teach clients that http:// works). The edge says the same thing
 * before the request reaches a task.
 */
export const HTTPS_ONLY_PATHS = ['/api', '/api/*', '/webhooks', '/webhooks/*'] as const;

export function refuseApiOverHttp(http: elbv2.ApplicationListener): void {
  http.addAction('RefuseApiOverHttp', {
    priority: 1,
    conditions: [elbv2.ListenerCondition.pathPatterns([...HTTPS_ONLY_PATHS])],
    action: elbv2.ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'HTTPS required' }),
  });
}

/** SMTP submission: STARTTLS (587) and implicit TLS (465); plain port 25 is never needed. */
export const SMTP_PORTS = [587, 465] as const;

/**
 * What a task may call, and nothing else: HTTPS (the VPC endpoints, S3 through its gateway, Razorpay and
 * Sentry through NAT: their addresses are not fixed, so the port is the limit), SMTP submission, and
 * MySQL to the database's security group only. DNS and time go to the VPC resolver and the link-local
 * time service, which security groups do not filter.
 */
export function allowAppEgress(group: ec2.SecurityGroup, database: ec2.ISecurityGroup): void {
  group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: AWS endpoints, Razorpay, Sentry');
  for (const port of SMTP_PORTS) group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), 'SMTP submission (TLS)');
  group.addEgressRule(database, ec2.Port.tcp(DATABASE_PORT), 'MySQL to the database only');
}
