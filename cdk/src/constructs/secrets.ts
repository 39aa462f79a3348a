import { RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { PoderoBridgeSettings } from '../props';

/**
 * The JSON the credentials secret is created with. It is a template, not a credential: `REPLACE_ME` tells
 * token-refresh (and the operator) that the real values have not been put in yet. infra/README.md shows the
 * one `aws secretsmanager put-secret-value` command that replaces it.
 *
 * Never change these values: CloudFormation rewrites the secret only when the template's SecretString
 * changes, so a different placeholder would overwrite the real credentials on the next deploy. As long as the
 * template stays the same, deploys leave the value put in by hand alone.
 */
export const CREDENTIALS_PLACEHOLDER = {
  client_id: 'REPLACE_ME',
  client_secret: 'REPLACE_ME',
  org_id: 'REPLACE_ME',
} as const;

export interface SecretsProps {
  readonly credentials: PoderoBridgeSettings['credentialsSecret'];
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The Podero client credentials (created with a placeholder, or imported by ARN) and the token secret that
 * token-refresh writes and every other function reads. Grants are per access level, nothing broader.
 */
export class Secrets extends Construct {
  readonly credentials: secretsmanager.ISecret;
  readonly token: secretsmanager.Secret;
  /** Set when the stack created the credentials secret (not when it was imported). */
  readonly createdCredentials?: secretsmanager.Secret;
  private readonly credentialsKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    if (props.credentials.mode === 'import') {
      this.credentials = secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'Credentials',
        props.credentials.arn,
      );
      if (props.credentials.kmsKeyArn) {
        this.credentialsKey = kms.Key.fromKeyArn(this, 'CredentialsKey', props.credentials.kmsKeyArn);
      }
    } else {
      this.createdCredentials = new secretsmanager.Secret(this, 'Credentials', {
        description:
          'podero-bridge: Podero OAuth client credentials {client_id, client_secret, org_id, base_url?}. Put the real values in after deploy.',
        secretObjectValue: Object.fromEntries(
          Object.entries(CREDENTIALS_PLACEHOLDER).map(([key, value]) => [key, placeholderValue(value)]),
        ),
        removalPolicy: props.removalPolicy,
      });
      this.credentials = this.createdCredentials;
    }
    this.token = new secretsmanager.Secret(this, 'Token', {
      description:
        'podero-bridge: current Podero access token {access_token, expires_at, token_type, scope, refreshed_at}. Written only by token-refresh.',
      // Created as `{}`: no token yet. token-refresh's first scheduled run (or the first forced refresh)
      // fills it; readers treat a value without access_token as missing and ask for a refresh.
      secretStringValue: placeholderValue('{}'),
      // The token is disposable: token-refresh fetches a new one, so nothing is lost with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  grantReadCredentials(grantee: iam.IGrantable): void {
    this.credentials.grantRead(grantee);
    if (this.credentialsKey) {
      // Secrets Manager decrypts on the caller's behalf; the key policy must also allow it (README).
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [this.credentialsKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    }
  }

  grantReadToken(grantee: iam.IGrantable): void {
    this.token.grantRead(grantee);
  }

  /** Write = store a new version. Not UpdateSecret: nobody needs to change the description or key. */
  grantReadWriteToken(grantee: iam.IGrantable): void {
    this.token.grantRead(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:PutSecretValue'],
        resources: [this.token.secretArn],
      }),
    );
  }
}

/**
 * SecretValue.unsafePlainText is the only way to seed a JSON template into a created secret. It is safe here
 * because the values are the fixed public placeholders above, never a credential.
 */
function placeholderValue(value: string): SecretValue {
  return SecretValue.unsafePlainText(value);
}
