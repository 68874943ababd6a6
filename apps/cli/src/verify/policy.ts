/** Registry policy parsing is shared by verify and preflight: it lives in the read side's shared layer. */
export * from '../registry/policy';
