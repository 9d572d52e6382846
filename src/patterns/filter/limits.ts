/**
 * The bounds CloudWatch Logs puts on filter patterns, kept together so each one carries its source.
 * "Filter pattern syntax" below is https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * (the 2024+ revision, "... for metric filters, subscription filters, filter log events, and Live Tail").
 */

/**
 * filterPattern: "Length Constraints: Minimum length of 0. Maximum length of 1024." (MetricFilter, PutSubscriptionFilter,
 * FilterLogEvents and StartLiveTail's logEventFilterPattern in the CloudWatch Logs API Reference).
 */
export const MAX_PATTERN_LENGTH = 1024;

/**
 * "There is a limit of 2 regex for each filter pattern when creating a delimited or JSON filter pattern for metric
 * filters and subscription filters or when filtering log events or Live Tail." (Filter pattern syntax, Quotas.)
 * A standalone regex pattern is one %regex% by construction. The other regex quota, "a maximum of 5 filter patterns
 * containing regex for each log group", is per log group, not per pattern, so it is not checked here.
 */
export const MAX_REGEX_PER_PATTERN = 2;

/** "You can only use up to one wildcard selector in a property selector" (Filter pattern syntax, JSON, Quotas). */
export const MAX_WILDCARDS_PER_SELECTOR = 1;

/**
 * "... and up to three wildcard selectors in a filter pattern with compound expressions" (Filter pattern syntax, JSON,
 * Quotas).
 */
export const MAX_WILDCARD_SELECTORS_PER_PATTERN = 3;

/**
 * Not a documented CloudWatch Logs quota: a regex is compiled to a state machine whose size grows with its bounded
 * repetitions (a{500} is 500 states); past this many states it is refused rather than made slow. CloudWatch Logs has
 * its own, unpublished bound ("Regular expression evaluation time exceeded allowed limit", aws/aws-cdk#36901).
 */
export const MAX_REGEX_STATES = 4096;
