/**
 * Refuses, at deployment and before any queue is touched, to turn the output queues from standard to FIFO or back
 * unless `acceptQueueReplacement` says so.
 *
 * Why: a queue's type cannot change after it is created (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html#cfn-sqs-queue-fifoqueue,
 * "Update requires: Replacement"), so toggling `fifo` makes CloudFormation create new queues (new URLs) and delete the
 * old ones, with every undelivered message on them, at the update's clean-up. Synthesis cannot refuse it: it never
 * sees what is deployed, and a setting that merely repeated the old value would be one more thing to get wrong. So a
 * custom resource reads the deployed output queue from the stack itself (its URL ends in ".fifo" exactly when it is
 * FIFO) and fails the update when the type would change. Both output queues depend on it, so it runs first: the failed
 * update rolls back before anything is replaced, and the old queues keep their messages. During a rollback it never
 * refuses.
 */
import { join } from 'node:path';
import {
  type CfnResource,
  CustomResource,
  CustomResourceProvider,
  CustomResourceProviderRuntime,
  Stack,
} from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { accept, acceptControl } from '../governance/accepted-findings';

/** Properties of `OutputQueueTypeGuard`. */
export interface OutputQueueTypeGuardProps {
  /** The output queue (its dead-letter queue changes type with it). */
  readonly outputQueue: sqs.Queue;
  /** The queues depending on the guard: both output queues. */
  readonly guarded: readonly sqs.Queue[];
  readonly fifo: boolean;
  /** Let a deployment change the type, replacing the queues. */
  readonly acceptQueueReplacement: boolean;
}

const PROVIDER_ID = 'OutputQueueTypeGuardProvider';

/** The guard resource; see the file's comment. */
export class OutputQueueTypeGuard extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: OutputQueueTypeGuardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = CustomResourceProvider.getOrCreateProvider(this, PROVIDER_ID, {
      codeDirectory: join(__dirname, 'output-queue-type-guard'),
      runtime: CustomResourceProviderRuntime.NODEJS_22_X,
      description: 'Refuses a deployment that would replace the output queues by changing their type.',
      policyStatements: [
        {
          Effect: 'Allow',
          // This stack only (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html).
          Action: ['cloudformation:ListStackResources', 'cloudformation:DescribeStacks'],
          Resource: stack.stackId,
        },
      ],
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::OutputQueueTypeGuard',
      properties: {
        QueueType: props.fifo ? 'fifo' : 'standard',
        AcceptQueueReplacement: String(props.acceptQueueReplacement),
        OutputQueueLogicalId: (props.outputQueue.node.defaultChild as CfnResource).logicalId,
      },
    });
    for (const queue of props.guarded) queue.node.addDependency(this.resource);
    const providerConstruct = stack.node.tryFindChild(`${PROVIDER_ID}CustomResourceProvider`);
    if (providerConstruct !== undefined && providerConstruct.node.metadata.length === 0) {
      accept(
        providerConstruct,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "The queue-type guard runs only at deployment; aws-cdk-lib's provider gives its role the basic execution policy for its logs.",
      );
      acceptControl(
        providerConstruct,
        'lambda_inside_vpc_check',
        'The queue-type guard runs only at deployment and calls only the CloudFormation API over TLS; a VPC would add NAT or endpoints for no isolation gained.',
      );
    }
  }
}
