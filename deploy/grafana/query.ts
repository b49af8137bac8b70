// The one piece the foundation SDK lacks: a query of Grafana's built-in PostgreSQL datasource,
// which reads QuestDB over its PostgreSQL wire. The SDK ships typed queries for Prometheus, Loki
// and others but none for SQL datasources, so this builds the target Grafana stores for it.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';

/** The provisioned datasource (provisioning/datasources/questdb.yaml). */
export const questdb: common.DataSourceRef = {
  type: 'grafana-postgresql-datasource',
  uid: 'heatstream-questdb',
};

/** time_series: a `time` column, value columns (and an optional `metric` column); table: any. */
export type Format = 'time_series' | 'table';

export interface SqlTarget extends cog.Dataquery {
  refId: string;
  datasource: common.DataSourceRef;
  rawSql: string;
  format: Format;
  rawQuery: true;
  editorMode: 'code';
}

export class SqlQuery implements cog.Builder<cog.Dataquery> {
  private readonly target: SqlTarget;
  constructor(rawSql: string, format: Format = 'time_series', refId = 'A') {
    this.target = {
      refId,
      datasource: questdb,
      rawSql,
      format,
      rawQuery: true,
      editorMode: 'code',
      _implementsDataqueryVariant() {},
    };
  }
  build(): cog.Dataquery {
    return this.target;
  }
}

/** Collapses the indentation of a template literal, so the JSON holds one readable line. */
export const q = (text: string): string => text.replace(/\s+/g, ' ').trim();
