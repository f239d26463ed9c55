/**
 * The CDK app: `npx cdk synth`, `npx cdk deploy -c alertEmail=treasury@example.com`.
 * The stack is environment-agnostic (no account or region in the template), so synth needs no
 * AWS credentials; deploy goes to the CLI's current account and region.
 * cdk-nag's AwsSolutions pack runs on every synth: an unacknowledged finding fails it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SegwatchStack } from './stack';

const app = new App();

new SegwatchStack(app, 'Segwatch', {
  description:
    "segwatch: watches FCMs' daily segregation filings (S3 -> SQS -> parse -> DynamoDB -> reconcile -> notify -> SNS)",
});

// writeSuppressionsToCloudFormation keeps each acknowledgement and its reason in the template's metadata.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));

app.synth();
