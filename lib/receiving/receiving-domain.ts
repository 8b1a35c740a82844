/**
 * The receiving domain in a Route 53 public zone: the SES domain identity (verified by its DKIM records) and the MX
 * record pointing at SES inbound.
 *
 * The MX record goes on a receiving subdomain (mail.example.org) by default: one at the zone apex would take over, or
 * collide with, the domain's existing mail. The apex is used only when asked for by `replaceApexMx`.
 */
import { Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/** Properties of `ReceivingDomain`. */
export interface ReceivingDomainProps {
  readonly hostedZone: route53.IHostedZone;
  /** The domain mail is received for: the zone's name (apex) or a subdomain of it. */
  readonly domainName: string;
}

/** The identity, its DKIM records and the MX record. */
export class ReceivingDomain extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly mxRecord: route53.MxRecord;
  /** The MX record's value: priority and SES's inbound endpoint for the stack's region. */
  readonly mxRecordValue: string;
  /** True when the domain is the zone apex (`replaceApexMx`). */
  readonly apex: boolean;

  constructor(scope: Construct, id: string, props: ReceivingDomainProps) {
    super(scope, id);
    const zoneName = props.hostedZone.zoneName;
    const apex = props.domainName === zoneName.replace(/\.$/, '');
    this.apex = apex;
    const inbound = `inbound-smtp.${Stack.of(this).region}.amazonaws.com`;
    this.mxRecordValue = `10 ${inbound}`;
    // For the apex, aws-cdk-lib's own helper writes the DKIM records; for a subdomain they are written here, as it
    // only knows the zone's name.
    this.identity = new ses.EmailIdentity(this, 'DomainIdentity', {
      identity: apex ? ses.Identity.publicHostedZone(props.hostedZone) : ses.Identity.domain(props.domainName),
    });
    if (!apex) {
      this.identity.dkimRecords.forEach((record, index) => {
        new route53.CnameRecord(this, `DkimRecord${index + 1}`, {
          zone: props.hostedZone,
          recordName: record.name,
          domainName: record.value,
        });
      });
    }
    this.mxRecord = new route53.MxRecord(this, 'MxRecord', {
      zone: props.hostedZone,
      recordName: apex ? undefined : props.domainName,
      values: [{ priority: 10, hostName: inbound }],
    });
  }
}
