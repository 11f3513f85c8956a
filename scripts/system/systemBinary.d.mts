export declare function findBinary(names: readonly string[]): string | undefined;
export declare function systemBinary(what: string, names: readonly string[], debianPackage: string): string | undefined;
