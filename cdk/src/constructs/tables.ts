import {
  type KeyAttribute,
  type TableDeclaration,
  type TableId,
  tableDeclarations,
} from '@podero-bridge/functions/declarations';
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface TablesProps {
  /** RETAIN in production: the tables (and their data) outlive the stack. */
  readonly removalPolicy: RemovalPolicy;
  /** Deletion protection stops a console click or an API call from dropping the table. */
  readonly deletionProtection: boolean;
}

function attribute(key: KeyAttribute): dynamodb.Attribute {
  return {
    name: key.name,
    type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
  };
}

/** Every declared table: on-demand, point-in-time recovery, TTL, AWS-managed encryption, CDK-generated names. */
export class Tables extends Construct {
  readonly byId: Readonly<Record<TableId, dynamodb.Table>>;

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id);
    const entries = Object.values(tableDeclarations) as TableDeclaration[];
    const byId: Partial<Record<TableId, dynamodb.Table>> = {};
    for (const declaration of entries) {
      byId[declaration.id] = this.createTable(declaration, props);
    }
    this.byId = byId as Record<TableId, dynamodb.Table>;
  }

  private createTable(declaration: TableDeclaration, props: TablesProps): dynamodb.Table {
    const table = new dynamodb.Table(this, pascal(declaration.id), {
      partitionKey: attribute(declaration.partitionKey),
      sortKey: attribute(declaration.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: declaration.timeToLiveAttribute,
      ...(declaration.stream === 'newImage' ? { stream: dynamodb.StreamViewType.NEW_IMAGE } : {}),
      removalPolicy: props.removalPolicy,
      deletionProtection: props.deletionProtection,
    });
    for (const index of declaration.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType:
          index.projection === 'keysOnly' ? dynamodb.ProjectionType.KEYS_ONLY : dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }

  /** Grants the declared access level: read-only functions get no write action. */
  grant(tableId: TableId, level: 'read' | 'readWrite', grantee: iam.IGrantable): void {
    const table = this.byId[tableId];
    if (level === 'read') {
      table.grantReadData(grantee);
    } else {
      table.grantReadWriteData(grantee);
    }
  }
}

export function pascal(kebabOrCamel: string): string {
  return kebabOrCamel
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
