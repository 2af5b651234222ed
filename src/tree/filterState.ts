// The view's current filter; commands change it, nodes read it.
import type { EnrollmentFilter } from './filters';

export class FilterState {
  private current: EnrollmentFilter = {};
  get value(): EnrollmentFilter {
    return this.current;
  }
  set(filter: EnrollmentFilter): void {
    this.current = { ...filter };
  }
  clear(): void {
    this.current = {};
  }
}
