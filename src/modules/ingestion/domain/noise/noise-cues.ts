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
  'mate', 'buddy', 'dude',
  // the same in the languages customers write most
  'danke', 'dank', 'vielen', 'schön', 'hallo', 'moin', 'servus', 'tschüss', 'gracias', 'muchas', 'hola', 'buenos', 'días',
  'merci', 'beaucoup', 'bonjour', 'salut', 'grazie', 'mille', 'ciao', 'obrigado', 'obrigada', 'olá', 'bom', 'dia', 'спасибо',
  'большое', 'привет', 'dzięki', 'dziękuję', 'tack', 'bedankt', 'ありがとう', '谢谢',
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

/**
 * Words of selling that legitimate mail uses too (newsletters, a customer asking about the free
 * plan): each distinct one is weak evidence, never enough for spam on its own. Porter stems.
 */
export const PROMO_STEMS = new Set([
  'free', 'winner', 'win', 'prize', 'bonus', 'reward', 'exclus', 'offer', 'discount', 'promo', 'claim', 'guarante', 'unsubscrib',
  'million', 'cash', 'earn', 'profit', 'invest', 'loan', 'rich', 'deal', 'save', 'sale', 'order', 'cheap', 'instant', 'incom',
  'credit', 'money', 'mortgag', 'debt', 'unlimit', 'urgent', 'congratul', 'opportun', 'subscrib', 'click', 'buy', 'price',
  'crypto', 'bitcoin', 'btc', 'nft', 'token', 'wallet', 'trade', 'forex', 'airdrop', 'giveaway', 'casino', 'lotteri',
  'jackpot', 'viagra', 'replica', 'luxuri', 'guarante', 'vip', 'bonu', 'verifi', 'suspend', 'lock', 'limit', 'expir',
]);

/**
 * Selling phrases that legitimate mail uses too (retail newsletters, product notifications, people
 * talking about spam): each distinct one is weak evidence. Normal forms joined by one space.
 */
export const PROMO_PHRASES = [
  'click here', 'click below', 'click on the link', 'click the link below', 'buy now', 'order now', 'order today', 'act now',
  'call now', 'call today', 'apply now', 'join now', 'register now', 'subscribe now', 'limited time', 'special offer',
  'special promotion', 'free trial', 'lowest price', 'lowest prices', 'best price', 'best prices', 'save up to', 'opt in',
  'opted in', 'to unsubscribe', 'toll free', 'free gift', 'free access', 'free membership', 'free quote', 'free consultation',
  'free info', 'free information', 'free report', 'free sample', 'free offer', 'absolutely free', 'completely free',
  'totally free', 'risk free', 'no obligation', 'without obligation', 'money back guarantee', 'satisfaction guaranteed',
  '100 guaranteed', '100 free', '100 satisfaction', 'do not delete', 'while supplies last', 'offer expires', 'once in a lifetime',
  'incredible offer', 'amazing offer', 'what are you waiting for', 'received this email because', 'you are receiving this',
  'bulk email', 'mass email', 'email marketing', 'email addresses', 'targeted email', 'opt in list', 'make money', 'making money',
  'earn money', 'business opportunity', 'investment opportunity', 'strictly confidential', 'business proposal',
  'foreign account', 'beneficiary', 'barrister', 'your assistance in', 'mutual benefit', 'us dollars', 'bad credit',
  'pre approved', 'preapproved', 'low interest', 'cash advance', 'mortgage rates', 'refinance', 'stock pick', 'lose weight',
  'weight loss', 'anti aging', 'enlargement', 'casino', 'lottery', 'jackpot', 'porn', 'forex', 'verify your account',
  'confirm your account', 'unusual activity', 'update your payment', 'giveaway', 'airdrop', 'dm me', 'inbox me',
  'whatsapp me', 'check my profile', 'link in bio', 'link in my bio', 'winner', 'prize', 'coupon', 'discount',
  // account scares: what phishing says, but also real security notices
  'has been locked', 'has been limited', 'has been suspended', 'will be suspended', 'avoid suspension', 'permanent suspension',
  'within 24 hours', 'within 48 hours', 'verify your information', 'confirm your identity', 'storage is full',
  'gift card', 'no experience needed', 'no experience required', 'limited slots', 'limited spots', 'spots left',
  'before they run out', 'first page of google', 'qualified leads', 'private investor', 'bank details',
];

/**
 * Phrases of unsolicited selling, money-making schemes, advance-fee fraud and chat spam that
 * conversations and newsletters people asked for almost never use: each distinct one is strong
 * evidence. General spam vocabulary, not the wording of any one sender. Normal forms ("don't"
 * reads "do not") joined by one space, matched inside a sentence.
 */
export const SPAM_PHRASES = [
  'you have been selected', 'you have been chosen', 'you are a winner', 'you have won', 'you are the winner',
  'claim your prize', 'claim your reward', 'claim your free', 'dear friend', 'this is not spam', 'not unsolicited',
  'not junk mail', 'this is not a spam',
  // the opt-out lines of bulk senders
  'to be removed from', 'removed from our mailing list', 'removed from our list', 'removed from our database',
  'remove you from our', 'removal instructions', 'reply with remove', 'with remove in', 'the word remove',
  'remove in the subject', 'remove as the subject', 'type remove', 'sent in compliance', 'million email',
  // money-making schemes
  'make money fast', 'make money online', 'make money from home', 'earn money online', 'earn extra', 'extra income',
  'extra cash', 'residual income', 'passive income', 'financial freedom', 'financially free', 'be your own boss',
  'home based business', 'from the comfort of your', 'multi level marketing', 'network marketing', 'get rich',
  'double your money', 'double your income', 'cash bonus', 'free money', 'free cash', 'earn up to', 'guaranteed returns',
  'guaranteed profit', 'guaranteed income', 'stock alert', 'hot stock', 'penny stock', 'binary options', 'crypto signals',
  // debt, credit, loans
  'debt consolidation', 'consolidate your debt', 'eliminate debt', 'eliminate your debt', 'no credit check', 'credit repair',
  'repair your credit', 'lower your mortgage', 'payday loan', 'instant approval',
  // pills and adult
  'diet pill', 'online pharmacy', 'without prescription', 'no prescription', 'viagra', 'cialis', 'penis enlargement',
  'hot singles', 'adult entertainment', 'online casino', 'free spins',
  // advance-fee fraud
  'next of kin', 'transfer the sum', 'million us dollars', 'foreign partner',
  'dearest in christ', 'donate it to charity', 'transfer fee', 'customs fee', 'release the funds',
  // chat spam and scams today
  'free crypto', 'free bitcoin', 'free nft', 'crypto giveaway', 'bitcoin giveaway', 'sub4sub', 'like4like', 'follow back',
  'onlyfans', 'trading signals', 'crypto signals', 'vip group', 'daily profit', 'profit guaranteed', 'recover your lost funds',
  'lost funds', 'complete a short survey', 'doctors hate', 'one weird trick', 'simple trick', 'replica watches',
  'private pics', 'work from your phone', 'earn from home', 'per day from home', 'thank me later',
];

/**
 * Names of integrations that post as users: "Deploy Bot", "renovate[bot]", or an integration's
 * own name ("GitHub", "Jenkins CI"), never a person who shares it ("Mary Jenkins").
 */
export const BOT_NAMES =
  /(^|[^a-z])(bot|\[bot\])([^a-z]|$)|^(github|gitlab|bitbucket|jira|jenkins|zapier|pagerduty|sentry|datadog|circleci|travis ci|slackbot|dependabot|renovate|opsgenie|statuspage|ifttt|workflow|automation)( (app|ci|cloud|alerts?|notifications?|actions|automation|integration|webhook|status))*$/i;

/** Mailboxes of delivery reports (bounces): nothing anyone wrote. */
export const DELIVERY_REPORT_MAILBOXES = /^(mailer-daemon|postmaster|mail-?delivery-?(system|subsystem)?)@/i;

/** Mailboxes nobody reads: notifications, but also newsletters with written content. */
export const BOT_MAILBOXES =
  /^(no[-_]?reply|do[-_]?not[-_]?reply|notif(y|ications?)|alerts?|bounces?|bot|builds?|ci)([+._-][^@]*)?@|^[^@]*[._-](no[-_]?reply|notif(y|ications?))@/i;

/** Free mailbox providers: a business selling from one of these is a classic spam trait. Registrable domains. */
export const FREE_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'ymail.com', 'hotmail.com', 'outlook.com', 'live.com', 'msn.com', 'aol.com',
  'icloud.com', 'me.com', 'mail.com', 'email.com', 'usa.com', 'gmx.com', 'gmx.net', 'gmx.de', 'web.de', 'yandex.ru',
  'yandex.com', 'mail.ru', 'protonmail.com', 'proton.me', 'zoho.com', 'excite.com', 'juno.com', 'netscape.net', 'lycos.com',
  'earthlink.net', 'compuserve.com', 'rediffmail.com', 'qq.com', '163.com', '126.com', 'sina.com', 'naver.com', 'hanmail.net',
  'libero.it', 'laposte.net', 'orange.fr', 'wanadoo.fr', 'btinternet.com', 'rocketmail.com', 'yahoo.co.uk', 'yahoo.fr',
  'hotmail.co.uk', 'hotmail.fr',
]);

/** Link shorteners and chat invites: where chat spam sends people. Hosts. */
export const SHORT_LINK_HOSTS = new Set(['bit.ly', 'tinyurl.com', 't.co', 'goo.gl', 'ow.ly', 'is.gd', 'buff.ly', 'cutt.ly', 'rb.gy', 't.me', 'wa.me', 'shorturl.at', 'tiny.cc']);
