/**
 * Log retention for every function of the stack: the helper functions (the custom resources' providers, aws-cdk-lib's
 * bucket-notification handler and AwsCustomResource provider) would otherwise log to `/aws/lambda/<name>`, a group
 * Lambda creates on first invocation and keeps forever. An aspect gives each function without a log group of its own
 * one with `logRetention` and points its `LoggingConfig.LogGroup` at it; the helpers' roles carry
 * AWSLambdaBasicExecutionRole, which may write to any log group.
 */
import { Aspects, CfnResource, type IAspect, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { acceptControl } from '../governance/accepted-findings';

/** Gives every function under `stack` that names no log group one with `retention`. */
export function retainFunctionLogs(stack: Stack, retention: logs.RetentionDays): void {
  Aspects.of(stack).add(new FunctionLogGroups(retention));
}

class FunctionLogGroups implements IAspect {
  constructor(private readonly retention: logs.RetentionDays) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') {
      return;
    }
    if (hasLogGroup(node)) {
      return;
    }
    const scope = node.node.scope;
    // Visited again (aspects re-run on a changed tree): its log group is there already.
    if (scope === undefined || scope.node.tryFindChild(`${node.node.id}Logs`) !== undefined) {
      return;
    }
    const logGroup = new logs.LogGroup(scope, `${node.node.id}Logs`, {
      retention: this.retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    node.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
    acceptControl(
      logGroup,
      'cloudwatch_log_group_retention_period_check',
      'A deployment helper logs request ids and outcomes only; kept as long as the functions log (logRetention).',
    );
    acceptControl(
      logGroup,
      'cloudwatch_log_group_encrypted_check',
      'A deployment helper logs no mail; CloudWatch Logs encrypts log data at rest already.',
    );
  }
}

/** Whether the function already sends its logs to a named log group. */
function hasLogGroup(resource: CfnResource): boolean {
  if (resource instanceof lambda.CfnFunction) {
    const config = resource.loggingConfig as lambda.CfnFunction.LoggingConfigProperty | undefined;
    return config?.logGroup !== undefined;
  }
  // aws-cdk-lib's CustomResourceProvider and bucket-notification handler are plain CfnResources.
  const properties = (resource as unknown as { _cfnProperties?: { LoggingConfig?: { LogGroup?: unknown } } })
    ._cfnProperties;
  return properties?.LoggingConfig?.LogGroup !== undefined;
}
