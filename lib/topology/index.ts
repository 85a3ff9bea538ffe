export * from './model';
export * from './dot';
export * from './drawing';
export * from './mermaid';
export * from './markdown';
export * from './svg';
export * from './from-wiring';
