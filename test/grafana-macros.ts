// What Grafana's PostgreSQL datasource does to a query before it reaches QuestDB, for the macros
// and variables heatstream's dashboards use (deploy/grafana/dashboards.ts), so a test can run a
// panel's SQL as Grafana would. Grafana's own expansion (pkg/tsdb/grafana-postgresql-datasource
// macros.go) is Go inside Grafana; this is the small documented subset:
//   $__timeFilter(col) → col BETWEEN '<from>' AND '<to>'   (RFC 3339 to the second, UTC)
//   $__timeFrom()      → '<from>'
//   $__timeTo()        → '<to>'
//   $name / ${name}    → the variable's current value, unquoted as Grafana leaves a single-value
//                        variable (the dashboards put it inside quotes themselves)
// Any other macro is refused, so a dashboard cannot use one this test does not understand.

export interface Range {
  from: Date;
  to: Date;
}

/** Grafana's relative panel time override ("30d" → the last 30 days up to `now`). */
export function rangeOf(now: Date, panelTimeFrom: string | undefined, dashboardFrom: string): Range {
  const relative = panelTimeFrom ?? dashboardFrom.replace(/^now-/, '');
  const match = /^(\d+)([mhd])$/.exec(relative);
  if (!match) throw new Error(`unsupported relative range ${relative}`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'm' | 'h' | 'd'];
  return { from: new Date(now.getTime() - Number(match[1]) * unit), to: now };
}

export function expand(rawSql: string, range: Range, variables: Readonly<Record<string, string>>): string {
  // As Grafana formats them: whole seconds, e.g. '2017-07-18T11:15:52Z'.
  const rfc3339 = (d: Date): string => `'${d.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;
  const from = rfc3339(range.from);
  const to = rfc3339(range.to);
  let text = rawSql
    .replace(
      /\$__timeFilter\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/g,
      (_, col: string) => `${col} BETWEEN ${from} AND ${to}`,
    )
    .replace(/\$__timeFrom\(\)/g, from)
    .replace(/\$__timeTo\(\)/g, to);
  const unknownMacro = /\$__\w+/.exec(text);
  if (unknownMacro)
    throw new Error(
      `macro ${unknownMacro[0]} is not expanded by this test: add it to test/grafana-macros.ts`,
    );
  text = text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    const value = variables[name];
    if (value === undefined) throw new Error(`variable $${name} has no value (query: ${rawSql})`);
    if (/['\\]/.test(value)) throw new Error(`variable $${name} value ${value} would need escaping`);
    return value;
  });
  return text;
}
