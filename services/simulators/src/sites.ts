// One house and heat pump per site, so the demo's sites differ (issue 14): each site's model is the
// shared `model` settings with the site's changes (building, heat pump size, weather offset). Units
// without a site share the house of `model`, as before there were sites.
import type { Static } from '@sinclair/typebox';
import type { simulatorConfig, SiteModel } from './config.ts';
import { defaultHouse, type HouseOptions } from './model/house.ts';

type ModelConfig = Static<typeof simulatorConfig.model>;

/** The house of `model` alone: the default house with its weather and start temperature. */
export function sharedHouse(model: ModelConfig): HouseOptions {
  return {
    ...defaultHouse,
    weather: { ...defaultHouse.weather, meanC: model.outsideMeanC, amplitudeC: model.outsideAmplitudeC },
    ...(model.startIndoorC === undefined ? {} : { startIndoorC: model.startIndoorC }),
  };
}

/** A site's house: the shared one with the site's changes. */
export function siteHouse(model: ModelConfig, site: Static<typeof SiteModel>): HouseOptions {
  const shared = sharedHouse(model);
  const { outsideOffsetC, ...house } = site;
  return {
    ...shared,
    ...house,
    weather: { ...shared.weather, meanC: shared.weather.meanC + (outsideOffsetC ?? 0) },
  };
}

/** Each unit's site names one of `sites`; every unknown one is reported. */
export function unknownSites(
  units: readonly { site?: string | undefined }[],
  sites: Readonly<Record<string, unknown>>,
): string[] {
  return units.flatMap((u, i) =>
    u.site === undefined || u.site in sites
      ? []
      : [`units[${i}].site: "${u.site}" is not a key of sites (${Object.keys(sites).join(', ') || 'none'})`],
  );
}
