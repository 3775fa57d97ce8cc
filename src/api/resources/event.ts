// Event (core/v1) and Event (events.k8s.io/v1): two views of the same reports; PUT may create.
import { coreEventValidator } from '../validation/core.ts';
import { newEventValidator } from '../validation/groups.ts';
import { eventPrinter, eventsV1Printer } from '../printers/event.ts';
import { fieldsAt, str } from '../field-values.ts';
import { defineResource } from './define.ts';

export const coreEvents = defineResource({
  group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
  printer: eventPrinter,
  fieldSelectors: {
    ...fieldsAt('involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
      'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent'),
    source: str('source.component'),
    type: str('type'),
  },
  strategy: { validator: coreEventValidator, allowCreateOnUpdate: true },
});

export const events = defineResource({
  group: 'events.k8s.io', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
  printer: eventsV1Printer,
  fieldSelectors: fieldsAt('regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'regarding.apiVersion',
    'regarding.resourceVersion', 'regarding.fieldPath', 'reason', 'reportingController', 'type'),
  strategy: { validator: newEventValidator, allowCreateOnUpdate: true },
});
