import type { Severity } from '../../rules/types.js';

/** How each severity looks wherever a message goes. Colours read on light and dark themes alike. */
export interface SeverityStyle {
  label: string;
  /** Unicode, for plain text, e-mail, Teams. */
  emoji: string;
  /** Slack shortcode. */
  slackEmoji: string;
  color: string;
  /** Adaptive Card container style and TextBlock colour. */
  teamsStyle: 'attention' | 'warning' | 'accent' | 'good' | 'default';
  teamsColor: 'Attention' | 'Warning' | 'Accent' | 'Good' | 'Default';
}

export const SEVERITY_STYLES: Record<Severity, SeverityStyle> = {
  critical: { label: 'CRITICAL', emoji: '🚨', slackEmoji: ':rotating_light:', color: '#B71C1C', teamsStyle: 'attention', teamsColor: 'Attention' },
  high: { label: 'HIGH', emoji: '🔴', slackEmoji: ':red_circle:', color: '#E53935', teamsStyle: 'attention', teamsColor: 'Attention' },
  medium: { label: 'MEDIUM', emoji: '🟠', slackEmoji: ':large_orange_circle:', color: '#FB8C00', teamsStyle: 'warning', teamsColor: 'Warning' },
  low: { label: 'LOW', emoji: '🟡', slackEmoji: ':large_yellow_circle:', color: '#F9A825', teamsStyle: 'accent', teamsColor: 'Accent' },
  info: { label: 'INFO', emoji: '🔵', slackEmoji: ':large_blue_circle:', color: '#1E88E5', teamsStyle: 'default', teamsColor: 'Default' },
};

/** PagerDuty Events API v2 payload.severity: critical | error | warning | info. */
export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

/** OpsGenie priority: P1 (highest) .. P5. */
export const OPSGENIE_PRIORITY: Record<Severity, 'P1' | 'P2' | 'P3' | 'P4' | 'P5'> = {
  critical: 'P1',
  high: 'P2',
  medium: 'P3',
  low: 'P4',
  info: 'P5',
};
