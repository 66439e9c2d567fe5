/** The --group-by modes. Here, not beside the grouper, so the config can validate the flag without loading grouping code. */
export const GROUP_BY = ['comm', 'cgroup', 'user', 'rules'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
