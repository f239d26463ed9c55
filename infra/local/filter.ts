/** The filter-pattern matcher moved to shared/stream-filter.ts (the stream redrive uses it too). */
export * from '../../shared/stream-filter';
