import { Stack, CfnOutput, Fn, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { accountKeyPolicy } from './key-policy.js';
import { LOCKED_DOWN_BUCKET } from './storage.js';

export interface EdgeGlobalStackProps extends StackProps {
  domainName: string;
}

/** The host CloudFront serves `/public` assets from. */
export function staticHost(domainName: string): string {
  return `static.${domainName}`;
}

/**
 * The pieces AWS requires in us-east-1 and nothing else: the public hosted zone with DNSSEC, the
 * key that signs it, and the certificate CloudFront presents. No customer data lives here.
 *
 * Route 53 DNSSEC only accepts a key-signing key backed by an asymmetric (ECC_NIST_P256, SIGN_VERIFY)
 * customer-managed KMS key in us-east-1, whatever region the rest of the estate is in, and CloudFront
 * only serves certificates issued by ACM in us-east-1. The zone sits beside that key so the key
 * signing key, the DNSSEC switch and the certificate's validation records need no cross-region
 * reference among themselves.
 * After the first deploy, publish the DS record (stack output) at the registrar: see infra/README.md.
 */
export class EdgeGlobalStack extends Stack {
  readonly zone: route53.PublicHostedZone;
  readonly staticCertificate: acm.Certificate;
  readonly dnssecKey: kms.Key;

  constructor(scope: Construct, id: string, props: EdgeGlobalStackProps) {
    super(scope, id, props);

    this.zone = new route53.PublicHostedZone(this, 'Zone', {
      zoneName: props.domainName,
      // Only Amazon's CA may issue certificates for our names.
      caaAmazon: true,
    });

    // Asymmetric signing keys cannot rotate automatically; a KSK rollover is a runbook step.
    this.dnssecKey = new kms.Key(this, 'DnssecKey', {
      alias: 'alias/bizlumo-hr/dnssec',
      description: 'Bizlumo HR: Route 53 DNSSEC key-signing key (Route 53 requires it in us-east-1)',
      policy: accountKeyPolicy(),
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.zone.enableDnssec({ kmsKey: this.dnssecKey, keySigningKeyName: 'bizlumo_ksk' });

    this.staticCertificate = new acm.Certificate(this, 'StaticCertificate', {
      domainName: staticHost(props.domainName),
      validation: acm.CertificateValidation.fromDns(this.zone),
    });

    new CfnOutput(this, 'HostedZoneId', { value: this.zone.hostedZoneId });
    new CfnOutput(this, 'NameServers', { value: Fn.join(' ', this.zone.hostedZoneNameServers!), description: 'delegate at the registrar' });
  }
}

export interface EdgeStackProps extends StackProps {
  domainName: string;
  zone: route53.IHostedZone;
  staticCertificate: acm.ICertificate;
  accessLogsBucket: s3.IBucket;
}

/**
 * CloudFront in front of the static assets (`/public`: css, kiosk scripts, face-model weights), read
 * from a private bucket through origin access control. Pages and APIs never pass through CloudFront:
 * they go to the load balancer directly, so no personal data sits in an edge cache outside India.
 * The deploy pipeline uploads `public/` to `s3://<assets bucket>/public/`.
 */
export class EdgeStack extends Stack {
  readonly assetsBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);

    // SSE-S3: these files are public by nature, and OAC reads SSE-S3 objects without key-policy plumbing.
    this.assetsBucket = new s3.Bucket(this, 'Assets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      ...LOCKED_DOWN_BUCKET,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'assets/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const host = staticHost(props.domainName);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Bizlumo HR static assets (/public only)',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.assetsBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
      },
      domainNames: [host],
      certificate: props.staticCertificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      sslSupportMethod: cloudfront.SSLMethod.SNI,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Price class 200 includes the edge locations in India.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      enableIpv6: true,
    });

    new CfnOutput(this, 'AssetsBucketName', { value: this.assetsBucket.bucketName, description: 'aws s3 sync public/ s3://<this>/public/' });

    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
    new route53.ARecord(this, 'StaticA', { zone: props.zone, recordName: host, target });
    new route53.AaaaRecord(this, 'StaticAaaa', { zone: props.zone, recordName: host, target });
  }
}
