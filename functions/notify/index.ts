// Placeholder: the real handler lands shortly (thin: validate with zod, call shared/, write through an adapter).
export const handler = async (): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => ({ batchItemFailures: [] });
