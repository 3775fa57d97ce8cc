// Events, core/v1 and events.k8s.io/v1 alike (upstream stores both as one internal Event and prints them
// with one printer): LAST SEEN TYPE REASON OBJECT MESSAGE | wide: SUBOBJECT SOURCE FIRST SEEN COUNT NAME,
// in upstream's cell order (SUBOBJECT and SOURCE sit between OBJECT and MESSAGE).
import type { Event as CoreEvent, EventSource, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { Event as NewEvent } from 'kubernetes-types/events/v1.js';
import type { KubeObject } from '../object.ts';
import { col, nameDescription } from './columns.ts';
import { translateTimestampSince } from './duration.ts';
import { view } from './format.ts';
import type { RowPrinter } from './table.ts';

const columns = [
  col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  col('Reason', 'string',
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col('Object', 'string', 'The object that this event is about.'),
  col('Subobject', 'string',
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go ' +
    'field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to ' +
    'a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the ' +
    'name of the container that triggered the event) or if no container name is specified "spec.containers[2]" ' +
    '(container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a ' +
    'part of an object.', { priority: 1 }),
  col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
  col('Message', 'string', 'A human-readable description of the status of this operation.'),
  col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
  col('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
  col('Name', 'string', nameDescription, { format: 'name', priority: 1 }),
];

/** The fields the printer reads, named as in core/v1. */
interface EventView {
  name: string;
  type: string;
  reason: string;
  message: string;
  involvedObject: ObjectReference;
  source: EventSource;
  reportingController: string;
  reportingInstance: string;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count: number;
  series?: { count?: number; lastObservedTime?: string };
}

function fromCore(e: CoreEvent): EventView {
  return {
    name: e.metadata?.name ?? '',
    type: e.type ?? '',
    reason: e.reason ?? '',
    message: e.message ?? '',
    involvedObject: e.involvedObject ?? {},
    source: e.source ?? {},
    reportingController: e.reportingComponent ?? '',
    reportingInstance: e.reportingInstance ?? '',
    firstTimestamp: e.firstTimestamp,
    lastTimestamp: e.lastTimestamp,
    eventTime: e.eventTime,
    count: e.count ?? 0,
    series: e.series,
  };
}

/** events.k8s.io/v1 field names, mapped as upstream's conversion to the internal Event does. */
function fromEventsV1(e: NewEvent): EventView {
  return {
    name: e.metadata?.name ?? '',
    type: e.type ?? '',
    reason: e.reason ?? '',
    message: e.note ?? '',
    involvedObject: e.regarding ?? {},
    source: e.deprecatedSource ?? {},
    reportingController: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    eventTime: e.eventTime,
    count: e.deprecatedCount ?? 0,
    series: e.series,
  };
}

function isEventsV1(obj: KubeObject): boolean {
  return obj.apiVersion === 'events.k8s.io/v1' || (obj.apiVersion === undefined && ('regarding' in obj || 'note' in obj));
}

function eventSource(v: EventView): string {
  const component = v.source.component || v.reportingController;
  const instance = v.source.host || v.reportingInstance;
  return instance ? `${component}, ${instance}` : component;
}

function eventCells(v: EventView, now: Date): unknown[] {
  const firstSeen = v.firstTimestamp
    ? translateTimestampSince(v.firstTimestamp, now)
    : translateTimestampSince(v.eventTime, now);
  let lastSeen = v.lastTimestamp ? translateTimestampSince(v.lastTimestamp, now) : firstSeen;
  let count = v.count;
  if (v.series) {
    lastSeen = translateTimestampSince(v.series.lastObservedTime, now);
    count = v.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events carry no count in the new API.
    count = 1;
  }
  const kind = (v.involvedObject.kind ?? '').toLowerCase();
  const target = v.involvedObject.name ? `${kind}/${v.involvedObject.name}` : kind;
  return [lastSeen, v.type, v.reason, target, v.involvedObject.fieldPath ?? '', eventSource(v), v.message.trim(),
    firstSeen, count, v.name];
}

export const eventPrinter: RowPrinter = {
  columns,
  cells: (obj, now) => eventCells(isEventsV1(obj) ? fromEventsV1(view<NewEvent>(obj)) : fromCore(view<CoreEvent>(obj)), now),
};

export const eventsV1Printer: RowPrinter = {
  columns,
  cells: (obj, now) => eventCells(obj.apiVersion === 'v1' ? fromCore(view<CoreEvent>(obj)) : fromEventsV1(view<NewEvent>(obj)), now),
};
