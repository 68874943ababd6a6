export * from './moto';
export * from './temp';
