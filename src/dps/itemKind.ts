// The two kinds of item a DPS instance holds, in one vocabulary: 'enrollment' (an individual
// enrollment) and 'group' (an enrollment group), with everything that depends on the kind: the id
// field, the path segment, the words people read. No imports at run time: the form page uses it too;
// src/dps/items.ts adds the client calls by kind.
import type { EnrollmentGroup, IndividualEnrollment } from './models';

export const ITEM_KINDS = ['enrollment', 'group'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
export type Item = IndividualEnrollment | EnrollmentGroup;
export type ItemIdField = 'registrationId' | 'enrollmentGroupId';
/** The service's path segment and export-file member for each kind. */
export type ItemCollection = 'enrollments' | 'enrollmentGroups';

interface ItemKindFacts {
  idField: ItemIdField;
  collection: ItemCollection;
  /** Lower case, for use inside sentences. */
  singular: string;
  plural: string;
}

export const ITEM_KIND_FACTS: Readonly<Record<ItemKind, Readonly<ItemKindFacts>>> = {
  enrollment: { idField: 'registrationId', collection: 'enrollments', singular: 'individual enrollment', plural: 'individual enrollments' },
  group: { idField: 'enrollmentGroupId', collection: 'enrollmentGroups', singular: 'enrollment group', plural: 'enrollment groups' },
};

export function isItemKind(value: unknown): value is ItemKind {
  return value === 'enrollment' || value === 'group';
}

export function idFieldOf(kind: ItemKind): ItemIdField {
  return ITEM_KIND_FACTS[kind].idField;
}

/** The item's id, or '' when it has none (a row being validated, say). */
export function itemIdOf(kind: ItemKind, item: unknown): string {
  if (typeof item !== 'object' || item === null) return '';
  const id = (item as Record<string, unknown>)[idFieldOf(kind)];
  return typeof id === 'string' ? id : '';
}

export function kindOfCollection(collection: ItemCollection): ItemKind {
  return collection === 'enrollments' ? 'enrollment' : 'group';
}

