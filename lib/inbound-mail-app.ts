/**
 * The CDK app: the stack, cdk-nag's AwsSolutions and Serverless packs as synthesis-time policy validation, and the
 * aspect that keeps e-mail addresses out of names and tags.
 */
import { App, type AppProps, AspectPriority, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { EncryptedInboundMailStack } from './encrypted-inbound-mail-stack';
import { NoPersonalDataAspect } from './no-personal-data-aspect';

/** The deployed stack's name (no personal data). */
export const STACK_NAME = 'EncryptedInboundMail';

/** Builds the app; tests pass context and an output directory. */
export function buildApp(props: AppProps = {}): { app: App; stack: EncryptedInboundMailStack } {
  const app = new App(props);
  const stack = new EncryptedInboundMailStack(app, STACK_NAME, {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'SES inbound mail encrypted with a customer-managed KMS key, decrypted and delivered to SQS',
  });
  // Read-only priority: it runs after the mutating aspects (tags among them) have done their work.
  Aspects.of(app).add(new NoPersonalDataAspect(), { priority: AspectPriority.READONLY });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
  return { app, stack };
}
