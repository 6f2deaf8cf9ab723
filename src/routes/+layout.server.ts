import { summaries } from '$lib/server/lessons';

export const load = () => ({ lessons: summaries() });
