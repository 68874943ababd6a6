export const HELLO = 'constructs';
