import { describe, expect, it } from 'vitest';
import { channelOfContext, normaliseChannel } from './channel-names.js';

describe('channel names', () => {
  it.each([
    ['web', 'web'], ['Website', 'web'], ['Mobile App', 'app'], ['iOS', 'app'], ['LINE', 'line'], ['line-oa', 'line'],
    ['IoT', 'iot'], ['iot_gateway', 'iot'], ['Branch', 'branch'], ['call-centre', 'callcenter'], ['Call Center', 'callcenter'], ['IVR', 'callcenter'],
  ])('%s → %s', (name, channel) => {
    expect(normaliseChannel(name)).toBe(channel);
  });

  it('names no channel for anything else', () => {
    expect(normaliseChannel('fax')).toBeUndefined();
    expect(normaliseChannel(7)).toBeUndefined();
  });

  it('infers the channel from the Segment library only when none was sent', () => {
    expect(channelOfContext({ library: { name: 'analytics-ios' } })).toBe('app');
    expect(channelOfContext({ library: { name: 'analytics.js' } })).toBe('web');
    expect(channelOfContext({ channel: 'fax', library: { name: 'analytics.js' } })).toBeUndefined();
    expect(channelOfContext(undefined)).toBeUndefined();
  });
});
