import { CHANNELS, type Channel } from '@kuroshio/contracts';

// What SDKs, gateways and older collectors call the channels. Keys are compared after lower-casing
// and dropping spaces, dashes and underscores.
const ALIASES: Readonly<Record<string, Channel>> = {
  web: 'web', website: 'web', browser: 'web', webbank: 'web', internetbank: 'web', desktop: 'web',
  app: 'app', mobile: 'app', mobileapp: 'app', ios: 'app', android: 'app', mobilebank: 'app',
  line: 'line', lineoa: 'line', linebot: 'line',
  iot: 'iot', device: 'iot', gateway: 'iot', iotgateway: 'iot',
  branch: 'branch', store: 'branch', shop: 'branch', counter: 'branch', teller: 'branch',
  callcenter: 'callcenter', callcentre: 'callcenter', contactcenter: 'callcenter', contactcentre: 'callcenter', ivr: 'callcenter',
};

// Segment library names tell the channel when a client sent none.
const LIBRARIES: Readonly<Record<string, Channel>> = {
  'analytics.js': 'web',
  'analytics-next': 'web',
  'analytics-ios': 'app',
  'analytics-android': 'app',
  'analytics-react-native': 'app',
  'analytics-flutter': 'app',
};

/** The platform's channel for a channel name as sent, or undefined when it names none of them. */
export function normaliseChannel(name: unknown): Channel | undefined {
  if (typeof name !== 'string') return undefined;
  const folded = name.toLowerCase().replace(/[\s_-]+/g, '');
  if ((CHANNELS as readonly string[]).includes(folded)) return folded as Channel;
  return ALIASES[folded];
}

/** `context.channel` normalised, else inferred from `context.library.name`; undefined if neither says. */
export function channelOfContext(context: unknown): Channel | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const { channel, library } = context as { channel?: unknown; library?: { name?: unknown } };
  const named = normaliseChannel(channel);
  if (named !== undefined || channel !== undefined) return named;
  const libraryName = typeof library === 'object' && library !== null ? library.name : undefined;
  return typeof libraryName === 'string' ? LIBRARIES[libraryName] : undefined;
}
