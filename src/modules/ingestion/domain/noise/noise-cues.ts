/**
 * The word lists behind the cue factors. Matched on the tokenizer's normal forms (greetings,
 * fillers) or porter stems (problem, request and promotion cues), so "crashes", "crashed" and
 * "crashing" are one cue.
 */

/** Pleasantries, acknowledgements and who they are addressed to: a message of only these says nothing. */
export const PLEASANTRIES = new Set([
  'hi', 'hello', 'hey', 'heya', 'hiya', 'yo', 'howdy', 'morning', 'afternoon', 'evening', 'night', 'gm', 'gn', 'good',
  'thanks', 'thank', 'ty', 'tysm', 'cheers', 'appreciated', 'appreciate', 'great', 'awesome', 'cool', 'nice', 'perfect',
  'excellent', 'amazing', 'wonderful', 'ok', 'okay', 'k', 'kk', 'sure', 'yes', 'yep', 'yeah', 'yup', 'yea', 'no', 'nope',
  'np', 'welcome', 'bye', 'goodbye', 'cya', 'later', 'lol', 'haha', 'hahaha', 'lmao', 'congrats', 'congratulations',
  'noted', 'ack', 'got', 'sounds', 'team', 'all', 'everyone', 'everybody', 'guys', 'folks', 'lot', 'much', 'done',
  'agreed', 'same', 'happy', 'friday', 'monday', 'weekend', 'love', 'it', 'this', 'so', 'very', 'really', 'again', 'you', 'all',
]);

/** Words that only point at a link ("fyi", "see this"): a link with only these around it is links-only. */
export const LINK_FILLERS = new Set(['fyi', 'see', 'check', 'link', 'here', 'look', 'out', 'via', 'read', 'interesting', 'cool', 'nice']);

/** Stems of problem reports. */
export const PROBLEM_STEMS = new Set([
  'bug', 'error', 'crash', 'fail', 'failur', 'broken', 'break', 'issu', 'problem', 'wrong', 'stuck', 'slow', 'timeout',
  'outag', 'except', 'unabl', 'glitch', 'freez', 'regress', 'incorrect', 'unexpect', 'corrupt', 'hang', 'blank',
  'downtim', 'unrespons', 'lag', 'leak', 'duplic', 'lost', 'miss',
]);

/** Stems of verbs that, right after a "not", report a problem ("does not load", "can not log in"). */
export const BROKEN_VERB_STEMS = new Set([
  'work', 'load', 'sync', 'open', 'save', 'connect', 'show', 'send', 'receiv', 'respond', 'updat', 'appear', 'log', 'start',
  'run', 'find', 'export', 'import', 'upload', 'download', 'access', 'login', 'print', 'render', 'display',
]);

/** Status codes people paste when something breaks. */
export const ERROR_CODES = new Set(['400', '401', '403', '404', '408', '429', '500', '502', '503', '504']);

/** Stems of requests and wishes. */
export const REQUEST_STEMS = new Set(['pleas', 'need', 'want', 'wish', 'request', 'featur', 'abil', 'roadmap', 'suggest', 'propos', 'requir', 'eta']);

/** Two-word requests, on normal forms. */
export const REQUEST_PAIRS = new Set(['would like', 'could you', 'can you', 'can we', 'could we', 'would be', 'add support', 'any way', 'is there', 'possible to']);

/** A question that does not end with "?" still often starts with one of these. */
export const QUESTION_STARTS = new Set([
  'how', 'what', 'why', 'when', 'where', 'who', 'which', 'can', 'could', 'would', 'is', 'are', 'does', 'do', 'did',
  'should', 'will', 'any', 'anyone', 'has', 'have',
]);

/** Stems of promotion and scams. */
export const PROMO_STEMS = new Set([
  'free', 'winner', 'win', 'prize', 'giveaway', 'crypto', 'bitcoin', 'btc', 'nft', 'airdrop', 'invest', 'profit', 'earn',
  'cash', 'casino', 'loan', 'viagra', 'discount', 'promo', 'claim', 'guarante', 'unsubscrib', 'rich', 'million', 'bonus',
  'reward', 'exclus', 'offer', 'jackpot', 'lotteri',
]);

/** Two-word promotions, on normal forms. */
export const PROMO_PAIRS = new Set(['click here', 'buy now', 'act now', 'limited time', 'order now', 'sign up', 'make money', 'double your', 'dm me']);

/** Names of integrations that post as users. */
export const BOT_NAMES = /(^|[^a-z])(bot|\[bot\]|github|gitlab|jira|jenkins|zapier|pagerduty|sentry|datadog|circleci|slackbot|dependabot|renovate|opsgenie|statuspage|ifttt|workflow|automation)([^a-z]|$)/i;

/** Mailboxes nobody reads. */
export const BOT_MAILBOXES = /^(no-?reply|do-?not-?reply|donotreply|notifications?|alerts?|mailer-daemon|postmaster|bounces?|bot|builds?|ci)([+._-][^@]*)?@/i;
