import { Aws, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface IdentityProviderProps {
  readonly stage: string;
  /** The hosted sign-in domain's prefix; default `podero-bridge-<stage>-<account id>` (unique per account). */
  readonly domainPrefix?: string;
  /** The bridge's scopes (`bridge/admin`, ...), read from the declarations: one resource server per prefix. */
  readonly scopes: readonly string[];
  /** The pool holds the operators' accounts: kept with the stage's data (retain in prod). */
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

export interface ConsoleClientProps {
  /** The console's own URL (`https://<distribution>` or its custom domain): the only callback and sign-out URL. */
  readonly origin: string;
  /** What the console asks for (`console.scopes`): OIDC scopes and the bridge's. */
  readonly scopes: readonly string[];
}

/** Scopes a Cognito app client may ask for that belong to no resource server. */
const STANDARD_SCOPES: Readonly<Record<string, cognito.OAuthScope>> = {
  openid: cognito.OAuthScope.OPENID,
  email: cognito.OAuthScope.EMAIL,
  profile: cognito.OAuthScope.PROFILE,
  phone: cognito.OAuthScope.PHONE,
};

/**
 * The bridge's own identity provider, created in the same deploy as the API and the console (issue 37): a
 * Cognito user pool, a resource server per scope prefix carrying the bridge's scopes, a hosted sign-in domain,
 * the console's app client (authorization code + PKCE, no secret, its callback the console's own URL, known in
 * the same deploy because the distribution is a resource of the same stack) and a machine client (client
 * credentials, with a secret Cognito generates and keeps) for the partner's back office.
 *
 * Operators are invited, never sign themselves up; passwords are long and MFA (an authenticator app) is
 * required. The pool is the API's JWT issuer: access tokens carry `client_id`, which the authorizer checks
 * against the two clients.
 */
export class IdentityProvider extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  readonly resourceServers: readonly cognito.UserPoolResourceServer[];
  readonly machineClient: cognito.UserPoolClient;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the tokens' `iss`. */
  readonly issuer: string;
  /** The issuer's origin (the console's CSP names it). */
  readonly issuerOrigin: string;
  /** The hosted domain's origin, where the authorize and token endpoints are. */
  readonly domainOrigin: string;
  /** The OAuth token endpoint on the hosted domain: where clients exchange credentials or codes for tokens. */
  readonly tokenEndpoint: string;
  private readonly scopeByName = new Map<string, cognito.OAuthScope>();

  constructor(scope: Construct, id: string, props: IdentityProviderProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `podero-bridge-${props.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });

    const byIdentifier = new Map<string, string[]>();
    for (const scopeName of props.scopes) {
      const [identifier, name] = scopeName.split('/');
      if (!identifier || !name) throw new Error(`scope ${scopeName} is not <resource server>/<scope>`);
      byIdentifier.set(identifier, [...(byIdentifier.get(identifier) ?? []), name]);
    }
    const servers: cognito.UserPoolResourceServer[] = [];
    for (const [identifier, names] of byIdentifier) {
      const scopes = names.map(
        (name) =>
          new cognito.ResourceServerScope({
            scopeName: name,
            scopeDescription: `podero-bridge ${identifier}/${name}`,
          }),
      );
      const server = this.userPool.addResourceServer(`${identifier}Scopes`, {
        identifier,
        userPoolResourceServerName: `podero-bridge ${identifier}`,
        scopes,
      });
      for (const resourceScope of scopes) {
        this.scopeByName.set(
          `${identifier}/${resourceScope.scopeName}`,
          cognito.OAuthScope.resourceServer(server, resourceScope),
        );
      }
      servers.push(server);
    }
    this.resourceServers = servers;

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `podero-bridge-${props.stage}-${Aws.ACCOUNT_ID}` },
    });
    const region = Stack.of(this).region;
    this.issuerOrigin = `https://cognito-idp.${region}.amazonaws.com`;
    this.issuer = `${this.issuerOrigin}/${this.userPool.userPoolId}`;
    this.domainOrigin = this.domain.baseUrl();
    this.tokenEndpoint = `${this.domainOrigin}/oauth2/token`;

    this.machineClient = this.userPool.addClient('BackOfficeClient', {
      userPoolClientName: `podero-bridge-${props.stage}-back-office`,
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [...this.scopeByName.values()],
      },
      accessTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
  }

  /** The console's public client: authorization code with PKCE, no secret, redirects only to the console. */
  addConsoleClient(props: ConsoleClientProps): cognito.UserPoolClient {
    const scopes = props.scopes.map((name) => {
      const found = STANDARD_SCOPES[name] ?? this.scopeByName.get(name);
      if (!found) throw new Error(`console.scopes: ${name} is neither an OIDC scope nor one of the bridge's`);
      return found;
    });
    return this.userPool.addClient('ConsoleClient', {
      userPoolClientName: `podero-bridge-console`,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes,
        callbackUrls: [`${props.origin}/`, `${props.origin}/index.html`],
        logoutUrls: [`${props.origin}/`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
  }
}
