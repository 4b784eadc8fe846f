import { closeSync, openSync, writeSync } from 'node:fs';
import { corpusMessage } from './search-corpus';

/**
 * A generated mbox that reads like a real mail archive, for the mail-import bench: thousands of
 * senders at hundreds of companies, threads with quoted replies (References / In-Reply-To),
 * mail clients with their own MIME habits (Gmail, Outlook, Apple Mail, Thunderbird, mutt),
 * newsletters and notifications (HTML-only, tables, styles), mailing lists (List-Id, Precedence),
 * attachments (base64 PDF/PNG/XLSX of random bytes, calendar invites, forwarded messages),
 * eight languages in their usual charsets (UTF-8, ISO-8859-1/-2, windows-1252, KOI8-R,
 * windows-1251, ISO-2022-JP, GB2312) and transfer encodings (7bit, 8bit, quoted-printable,
 * base64), encoded-word headers, Received / DKIM / ARC header blocks, RFC 5322 and obsolete
 * Date forms, LF and CRLF messages, mboxrd ">From " quoting. A few Message-IDs repeat (the same
 * mail received through two lists) and a few are missing, as in real archives.
 *
 * Deterministic: a seeded PRNG drives everything, so a seed always gives the same bytes.
 * Messages are built one at a time as byte strings (one char per byte, so 8-bit charsets pass
 * through untouched) and written in ~1 MB chunks: the file is never held in memory.
 */

type Rand = () => number;

/** mulberry32: small and fast, good enough for test data. */
function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
/** Log-uniform between lo and hi: many small values, a long tail of big ones (sizes of real things). */
const logUniform = (r: Rand, lo: number, hi: number) => Math.round(lo * (hi / lo) ** r());
function weighted<T extends string>(r: Rand, table: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of table) total += w;
  let x = r() * total;
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1][0];
}
const hex = (r: Rand, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
};

// ---------------------------------------------------------------------------------------------
// Charsets: encoders built by inverting Node's (ICU) decoders, so no table is written by hand.

/** A byte string: one char per byte (0-255), written with Buffer 'latin1'. */
type Bytes = string;

const isAscii = (s: string) => !/[\u0080-\uffff]/.test(s);

const utf8 = (s: string): Bytes => (isAscii(s) ? s : Buffer.from(s, 'utf8').toString('latin1'));

const tables = new Map<string, Map<number, string>>();

function singleByteTable(charset: string): Map<number, string> {
  let t = tables.get(charset);
  if (!t) {
    t = new Map();
    const decoder = new TextDecoder(charset);
    for (let b = 0x80; b <= 0xff; b++) {
      const ch = decoder.decode(Uint8Array.of(b));
      if (ch.length === 1 && ch !== '\ufffd' && !t.has(ch.charCodeAt(0))) t.set(ch.charCodeAt(0), String.fromCharCode(b));
    }
    tables.set(charset, t);
  }
  return t;
}

/** Double-byte charsets (GB2312, JIS X 0208 inside ISO-2022-JP): each pair decoded once. */
function doubleByteTable(charset: string, lo: number, hi: number, wrap: (pair: number[]) => number[], offset = 0): Map<number, string> {
  const key = `${charset}:${offset}`;
  let t = tables.get(key);
  if (!t) {
    t = new Map();
    const decoder = new TextDecoder(charset);
    for (let a = lo; a <= hi; a++) {
      for (let b = lo; b <= hi; b++) {
        const ch = decoder.decode(Uint8Array.from(wrap([a, b])));
        if (ch.length === 1 && ch !== '\ufffd' && !t.has(ch.charCodeAt(0))) t.set(ch.charCodeAt(0), String.fromCharCode(a - offset, b - offset));
      }
    }
    tables.set(key, t);
  }
  return t;
}

export type Charset = 'us-ascii' | 'utf-8' | 'iso-8859-1' | 'iso-8859-2' | 'windows-1252' | 'windows-1251' | 'koi8-r' | 'iso-2022-jp' | 'gb2312';

/** Text in a charset; characters it lacks become '?', as a sending client would do. */
export function encodeText(s: string, charset: Charset): Bytes {
  switch (charset) {
    case 'utf-8':
      return utf8(s);
    case 'us-ascii':
      return s.replace(/[\u0080-\uffff]/g, '?');
    case 'iso-2022-jp':
      return iso2022jp(s);
    case 'gb2312': {
      const t = doubleByteTable('gbk', 0xa1, 0xfe, (p) => p);
      let out = '';
      for (const ch of s) {
        const c = ch.codePointAt(0)!;
        out += c < 0x80 ? ch : (t.get(c) ?? '?');
      }
      return out;
    }
    default: {
      const t = singleByteTable(charset);
      let out = '';
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        out += c < 0x80 ? s[i] : (t.get(c) ?? '?');
      }
      return out;
    }
  }
}

/** ISO-2022-JP: ASCII, and JIS X 0208 between ESC $ B and ESC ( B; back to ASCII before each line end. */
function iso2022jp(s: string): Bytes {
  const t = doubleByteTable('iso-2022-jp', 0x21, 0x7e, (p) => [0x1b, 0x24, 0x42, ...p, 0x1b, 0x28, 0x42]);
  let out = '';
  let jis = false;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const pair = c >= 0x80 ? t.get(c) : undefined;
    if (pair !== undefined) {
      if (!jis) out += '\x1b$B';
      jis = true;
      out += pair;
    } else {
      if (jis) out += '\x1b(B';
      jis = false;
      out += c < 0x80 ? ch : '?';
    }
  }
  return jis ? `${out}\x1b(B` : out;
}

const countQ = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('?'); i >= 0; i = s.indexOf('?', i + 1)) n++;
  return n;
};

// ---------------------------------------------------------------------------------------------
// Transfer encodings and headers

const HEX = '0123456789ABCDEF';

/** Quoted-printable of a byte string whose line breaks are '\n' (kept as hard breaks). */
export function quotedPrintable(bytes: Bytes): string {
  const out: string[] = [];
  let line = '';
  const put = (tok: string) => {
    if (line.length + tok.length > 75) {
      out.push(`${line}=\n`);
      line = '';
    }
    line += tok;
  };
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c === 10) {
      out.push(`${line}\n`);
      line = '';
    } else if (c === 13) {
      continue;
    } else if ((c === 32 || c === 9) && (i + 1 === bytes.length || bytes.charCodeAt(i + 1) === 10)) {
      put(`=${HEX[c >> 4]}${HEX[c & 15]}`); // trailing white space would be lost in transit
    } else if ((c >= 33 && c <= 126 && c !== 61) || c === 32 || c === 9) {
      // A line starting "From " is encoded by careful clients; a plain 'F' is fine here, mboxrd quoting covers the rest.
      put(bytes[i]);
    } else {
      put(`=${HEX[c >> 4]}${HEX[c & 15]}`);
    }
  }
  if (line) out.push(line);
  return out.join('');
}

export function base64Lines(data: Buffer | Bytes): string {
  const b64 = (typeof data === 'string' ? Buffer.from(data, 'latin1') : data).toString('base64');
  return b64.replace(/.{76}/g, '$&\n').replace(/\n$/, '');
}

type Cte = '7bit' | '8bit' | 'quoted-printable' | 'base64';

function transferEncode(bytes: Bytes, cte: Cte): string {
  if (cte === 'quoted-printable') return quotedPrintable(bytes);
  if (cte === 'base64') return base64Lines(bytes);
  return bytes;
}

/** RFC 2047 encoded words for a header value (split so each word stays under 76 chars). */
export function encodedWords(s: string, charset: Charset, enc: 'B' | 'Q'): string {
  if (isAscii(s)) return s;
  const label = charset === 'utf-8' ? (enc === 'B' ? 'UTF-8' : 'utf-8') : charset.toUpperCase();
  const words: string[] = [];
  // Chunks of characters (never a split multi-byte sequence), each encoded on its own.
  const chars = [...s];
  const per = charset === 'iso-2022-jp' || charset === 'gb2312' ? 10 : enc === 'B' ? 14 : 18;
  // A client picks a charset that holds the whole text, else UTF-8.
  if (charset !== 'utf-8' && countQ(encodeText(s, charset)) > countQ(s)) return encodedWords(s, 'utf-8', enc);
  for (let i = 0; i < chars.length; i += per) {
    const bytes = encodeText(chars.slice(i, i + per).join(''), charset);
    if (enc === 'B') words.push(`=?${label}?B?${Buffer.from(bytes, 'latin1').toString('base64')}?=`);
    else {
      let q = '';
      for (let k = 0; k < bytes.length; k++) {
        const c = bytes.charCodeAt(k);
        q += c === 32 ? '_' : /[A-Za-z0-9!*+\-/]/.test(bytes[k]) ? bytes[k] : `=${HEX[c >> 4]}${HEX[c & 15]}`;
      }
      words.push(`=?${label}?Q?${q}?=`);
    }
  }
  return words.join('\n ');
}

/** Folds "Name: a, b, c" at commas so lines stay under ~78 chars, as clients do. */
function foldList(name: string, items: string[]): string {
  let out = `${name}: `;
  let lineLen = out.length;
  items.forEach((item, k) => {
    const tok = k < items.length - 1 ? `${item},` : item;
    if (k > 0 && lineLen + 1 + tok.length > 78) {
      out += '\n\t';
      lineLen = 8;
    } else if (k > 0) {
      out += ' ';
      lineLen++;
    }
    out += tok;
    const nl = tok.lastIndexOf('\n'); // encoded words fold inside an item
    lineLen = nl >= 0 ? tok.length - nl : lineLen + tok.length;
  });
  return out;
}

function wrap(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.length <= width || line.startsWith('>')) return line;
      const out: string[] = [];
      let cur = '';
      for (const w of line.split(' ')) {
        if (cur && cur.length + 1 + w.length > width) {
          out.push(cur);
          cur = w;
        } else cur = cur ? `${cur} ${w}` : w;
      }
      if (cur) out.push(cur);
      return out.join('\n');
    })
    .join('\n');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// ---------------------------------------------------------------------------------------------
// People, languages, clients

type Locale = 'en' | 'de' | 'fr' | 'es' | 'pl' | 'ru' | 'ja' | 'zh';
type Client = 'gmail' | 'outlook' | 'apple' | 'thunderbird' | 'mutt';

/** Names as [shown, ascii for the address]. */
const N = (s: string): [string, string] => {
  const [shown, ascii] = s.split('/');
  return [shown, (ascii ?? shown.normalize('NFD').replace(/[\u0300-\u036f]/g, '')).toLowerCase().replace(/[^a-z]/g, '')];
};
const list = (s: string) => s.split(' ').map(N);

const NAMES: Record<Locale, { first: [string, string][]; last: [string, string][] }> = {
  en: {
    first: list('James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Priya Omar Aisha Raj Mei Carlos Fatima Kwame Yuki Noah Olivia Liam Emma Ava Sophia Mateo Amara Dana Fox Walter Monica Grace Tobias'),
    last: list("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Patel Shah Okafor Kim Chen O'Brien/obrien McAllister Fitzgerald Sullivan Murphy Kelly Reed Cook Morgan Bell Cooper Richardson Cox Howard Ward Peterson Gray James Watson Brooks Sanders Price Bennett Wood Barnes Ross Henderson Coleman Jenkins Perry Powell Long Patterson Hughes Washington Butler Simmons Foster Bryant Alexander Russell Griffin Hayes Myers Ford Hamilton Graham Wallace West Cole"),
  },
  de: {
    first: list('Jürgen Jörg Günter Björn Käthe Sören Anna Lena Lukas Felix Jonas Paul Sophie Marie Klaus Uwe Sabine Petra Ulrike Stefan Tobias Maximilian Hannah Lea Mia Moritz Jan Ute Gisela Dörte'),
    last: list('Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Weiß Köhler Groß Jäger Böhm Kühn Vogel Friedrich Günther Möller Lorenz Baumann Franke Albrecht Simon Ludwig Böttcher Wendt Kuhn Schuster Brandt Haas Sommer Graf Dietrich Ziegler Engel Jung Hahn Keller Vogt Heinrich Roth Schubert Fuchs'),
  },
  fr: {
    first: list('François Hélène Amélie Clément Jérôme Léa Chloé Émilie Noël Gaëlle Julien Camille Manon Hugo Louis Inès Théo Maëlle Benoît Cécile'),
    last: list('Lefèvre Dubois Durand Moreau Lefebvre Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Mercier Blanc Guérin Boyer Garnier Chevalier Legrand Gauthier Perrin Robin Morin Roussel Mathieu Masson Marchand Duval Denis Dumont Lemaire Dufour Meunier Brun Blanchard Giraud Joly Rivière Brunet Gaillard Barbier Arnaud Bérénger Thébault Lécuyer'),
  },
  es: {
    first: list('José María Jesús Ángel Mónica Sofía Martín Lucía Íñigo Álvaro Begoña Nuria Raúl Inés Sergio Elena Adrián Andrés'),
    last: list('García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Domínguez Vázquez Ramos Serrano Molina Suárez Ortega Delgado Castro Ortiz Rubio Marín Sanz Núñez Iglesias Medina Cortés Castillo Lozano Méndez Calvo Gallego Márquez Peña Ibáñez Durán Benítez'),
  },
  pl: {
    first: list('Łukasz/lukasz Paweł/pawel Michał/michal Małgorzata/malgorzata Agnieszka Katarzyna Wojciech Krzysztof Grzegorz Żaneta/zaneta Zofia Tomasz Anna Piotr'),
    last: list('Wiśniewski/wisniewski Wójcik/wojcik Kowalczyk Kamiński/kaminski Lewandowski Zieliński/zielinski Szymański/szymanski Woźniak/wozniak Dąbrowski/dabrowski Kozłowski/kozlowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Nowakowski Pawłowski/pawlowski Michalski Nowicki Adamczyk Dudek Zając/zajac Wieczorek Jabłoński/jablonski Król/krol Majewski Olszewski Wróbel/wrobel Stępień/stepien Górski/gorski Sikora Bąk/bak Sokołowski/sokolowski'),
  },
  ru: {
    first: list('Иван/ivan Дмитрий/dmitry Сергей/sergey Алексей/alexey Наталья/natalya Ольга/olga Елена/elena Татьяна/tatyana Андрей/andrey Юлия/yulia Пётр/petr Михаил/mikhail Анна/anna Светлана/svetlana'),
    last: list('Петров/petrov Иванов/ivanov Смирнов/smirnov Кузнецов/kuznetsov Попов/popov Волков/volkov Соколов/sokolov Лебедев/lebedev Козлов/kozlov Новиков/novikov Фёдоров/fedorov Морозов/morozov Васильев/vasiliev Зайцев/zaytsev Павлов/pavlov Семёнов/semenov Голубев/golubev Виноградов/vinogradov'),
  },
  ja: {
    first: list('太郎/taro 花子/hanako 健/ken 由美/yumi 翔太/shota 美咲/misaki 大輔/daisuke 直子/naoko 拓也/takuya 恵/megumi 誠/makoto 陽子/yoko'),
    last: list('山田/yamada 佐藤/sato 鈴木/suzuki 高橋/takahashi 田中/tanaka 伊藤/ito 渡辺/watanabe 中村/nakamura 小林/kobayashi 加藤/kato 吉田/yoshida 山本/yamamoto 松本/matsumoto 井上/inoue 木村/kimura'),
  },
  zh: {
    first: list('伟/wei 芳/fang 娜/na 敏/min 静/jing 磊/lei 洋/yang 艳/yan 勇/yong 军/jun 杰/jie 丽/li'),
    last: list('王/wang 李/li 张/zhang 刘/liu 陈/chen 杨/yang 黄/huang 赵/zhao 吴/wu 周/zhou 徐/xu 孙/sun 马/ma 朱/zhu'),
  },
};

interface Person {
  first: string;
  last: string;
  /** As shown in From (Japanese and Chinese: family name first). */
  name: string;
  address: string;
  company: number;
  locale: Locale;
  client: Client;
  /** Minutes east of UTC. */
  zone: number;
  title: string;
}

const ZONES = [0, 0, 60, 60, 60, 120, -300, -300, -240, -480, -420, 330, 540, 180, 600, -360, 480];
const TITLES = ['Account Executive', 'Engineering Manager', 'Support Lead', 'Head of Operations', 'Product Manager', 'Senior Software Engineer', 'Office Manager', 'CFO', 'Customer Success Manager', 'Procurement', 'Data Analyst', 'Legal Counsel', 'Sales Director', 'QA Engineer', 'Recruiter'];

function makePeople(count: number, seed: number): Person[] {
  const r = mulberry32(seed ^ 0x5eed);
  const people: Person[] = [];
  for (let k = 0; k < count; k++) {
    const locale = weighted<Locale>(r, [['en', 66], ['de', 8], ['fr', 6], ['es', 5], ['pl', 3], ['ru', 5], ['ja', 4], ['zh', 3]]);
    const [first, fa] = pick(r, NAMES[locale].first);
    const [last, la] = pick(r, NAMES[locale].last);
    const company = Math.floor(1500 * r() ** 1.3);
    const local = weighted(r, [[`${fa}.${la}`, 60], [`${fa[0]}${la}`, 20], [fa, 8], [`${fa}_${la}`, 6], [`${la}.${fa}`, 6]]);
    const domain = r() < 0.1 ? `${pick(r, ['mail', 'post', 'inbox', 'webmail'])}.example` : `company${company}.example`;
    const client = weighted<Client>(r, locale === 'ja' || locale === 'ru' ? [['gmail', 30], ['outlook', 30], ['thunderbird', 30], ['apple', 10]] : [['gmail', 40], ['outlook', 30], ['apple', 15], ['thunderbird', 10], ['mutt', 5]]);
    const name = locale === 'ja' || locale === 'zh' ? (r() < 0.7 ? `${last}${locale === 'ja' ? ' ' : ''}${first}` : `${fa[0].toUpperCase()}${fa.slice(1)} ${la[0].toUpperCase()}${la.slice(1)}`) : `${first} ${last}`;
    const zone = locale === 'de' || locale === 'fr' || locale === 'es' || locale === 'pl' ? pick(r, [60, 120]) : locale === 'ru' ? 180 : locale === 'ja' ? 540 : locale === 'zh' ? 480 : pick(r, ZONES);
    people.push({ first, last, name, address: `${local}${k % 7 === 6 ? k : ''}@${domain}`, company, locale, client, zone, title: pick(r, TITLES) });
  }
  return people;
}

/** Per language: the charsets and encodings its mail comes in, weighted. */
const CHARSETS: Record<Locale, (readonly [string, number])[]> = {
  en: [['us-ascii/7bit', 45], ['utf-8/quoted-printable', 25], ['utf-8/7bit', 10], ['windows-1252/quoted-printable', 10], ['iso-8859-1/8bit', 5], ['utf-8/base64', 5]],
  de: [['iso-8859-1/8bit', 25], ['iso-8859-1/quoted-printable', 20], ['utf-8/quoted-printable', 30], ['utf-8/8bit', 15], ['windows-1252/quoted-printable', 10]],
  fr: [['iso-8859-1/8bit', 20], ['iso-8859-1/quoted-printable', 20], ['utf-8/quoted-printable', 35], ['utf-8/8bit', 15], ['windows-1252/8bit', 10]],
  es: [['iso-8859-1/quoted-printable', 35], ['utf-8/quoted-printable', 40], ['utf-8/8bit', 15], ['windows-1252/quoted-printable', 10]],
  pl: [['iso-8859-2/quoted-printable', 45], ['iso-8859-2/8bit', 15], ['utf-8/quoted-printable', 40]],
  ru: [['koi8-r/8bit', 30], ['koi8-r/base64', 10], ['windows-1251/8bit', 20], ['utf-8/base64', 25], ['utf-8/8bit', 15]],
  ja: [['iso-2022-jp/7bit', 60], ['utf-8/base64', 40]],
  zh: [['gb2312/base64', 45], ['utf-8/base64', 45], ['utf-8/8bit', 10]],
};

interface Lang {
  sentences: string[];
  greetings: string[];
  closings: string[];
  reply: string;
  forward: string;
  /** The quote attribution: {date} {name} {addr}. */
  attribution: string[];
}

const LANGS: Record<Exclude<Locale, 'en'>, Lang> = {
  de: {
    sentences: ['vielen Dank für Ihre schnelle Rückmeldung.', 'Anbei sende ich Ihnen die überarbeitete Fassung des Angebots.', 'Können wir das Gespräch auf nächsten Donnerstag verschieben?', 'Die Lieferung verzögert sich leider um zwei Wochen, da ein Bauteil fehlt.', 'Bitte prüfen Sie die Änderungen bis Freitag und geben Sie mir Bescheid.', 'Für Rückfragen stehe ich Ihnen gerne zur Verfügung.', 'Das Protokoll der Besprechung vom Montag finden Sie im gemeinsamen Ordner.', 'Die Kosten belaufen sich auf 1.250,00 € zzgl. MwSt.', 'Die Schnittstelle liefert seit dem Update nur noch leere Antworten.', 'Wir haben die Größe der Exportdatei auf 50 MB begrenzt.'],
    greetings: ['Hallo {first},', 'Sehr geehrte Damen und Herren,', 'Liebe Frau {last},', 'Guten Tag Herr {last},', 'Hi {first},'],
    closings: ['Viele Grüße\n{first}', 'Mit freundlichen Grüßen\n\n{name}', 'Beste Grüße\n{first}', 'Schöne Grüße aus Köln\n{first}'],
    reply: 'AW: ', forward: 'WG: ',
    attribution: ['Am {dmy} um {hm} schrieb {name} <{addr}>:', '{name} <{addr}> schrieb am {dmy}:'],
  },
  fr: {
    sentences: ['merci pour votre réponse rapide.', 'Vous trouverez ci-joint le compte-rendu de la réunion de vendredi.', 'Pourriez-vous me confirmer la date de livraison prévue ?', "Le devis s'élève à 3 400 € hors taxes, valable trente jours.", 'Je suis en congé la semaine prochaine, Hélène prendra le relais.', "N'hésitez pas à revenir vers moi si vous avez des questions.", "L'équipe a terminé la migration des données hier soir.", 'Les accès au nouvel environnement seront envoyés séparément.'],
    greetings: ['Bonjour {first},', 'Madame, Monsieur,', 'Salut {first} !', 'Bonjour à tous,'],
    closings: ['Cordialement,\n{name}', 'Bien à vous,\n{first}', 'Bonne journée,\n{first}'],
    reply: 'RE: ', forward: 'TR: ',
    attribution: ['Le {dmy} à {hm}, {name} <{addr}> a écrit :', 'De : {name} <{addr}>\nEnvoyé : {dmy} {hm}'],
  },
  es: {
    sentences: ['gracias por la información, ¿podemos hablar mañana por la mañana?', 'Te adjunto el presupuesto actualizado con los cambios que comentamos.', 'La reunión del miércoles se cancela; propongo el jueves a las 10:00.', 'El cliente está muy contento con la nueva versión de la aplicación.', '¿Sabes si ya han llegado los pedidos de la semana pasada?', 'Revisé los números y coinciden con la facturación de diciembre.'],
    greetings: ['Hola {first}:', 'Buenos días,', 'Estimado {first}:', 'Hola a todos,'],
    closings: ['Un saludo,\n{first}', 'Saludos cordiales,\n{name}', 'Gracias,\n{first}'],
    reply: 'RE: ', forward: 'RV: ',
    attribution: ['El {dmy} a las {hm}, {name} (<{addr}>) escribió:'],
  },
  pl: {
    sentences: ['w załączniku przesyłam zestawienie kosztów za ostatni kwartał.', 'Czy możemy przełożyć spotkanie na przyszły wtorek?', 'Dziękuję za szybką odpowiedź, wszystko się zgadza.', 'Proszę o potwierdzenie otrzymania faktury nr 2024/03/117.', 'Zespół skończył wdrożenie nowej wersji w piątek wieczorem.', 'Źródłem problemu okazała się zła konfiguracja serwera pocztowego.'],
    greetings: ['Dzień dobry,', 'Cześć {first},', 'Szanowni Państwo,'],
    closings: ['Pozdrawiam,\n{name}', 'Z poważaniem,\n{name}', 'Dzięki,\n{first}'],
    reply: 'Odp: ', forward: 'PD: ',
    attribution: ['W dniu {dmy} o {hm}, {name} pisze:', 'Dnia {dmy} {name} <{addr}> napisał(a):'],
  },
  ru: {
    sentences: ['спасибо за быстрый ответ.', 'Высылаю отчёт за прошлый месяц, прошу посмотреть до пятницы.', 'Встреча переносится на четверг, в 15:00 по московскому времени.', 'Прошу подтвердить получение счёта.', 'Команда закончила тестирование новой версии, ошибок не найдено.', 'Если будут вопросы, пишите, всегда рад помочь.', 'Договор подписан, оригиналы отправим почтой на этой неделе.'],
    greetings: ['Добрый день, {first}!', 'Здравствуйте!', 'Привет, {first}!', 'Коллеги, добрый день!'],
    closings: ['С уважением,\n{name}', 'Спасибо,\n{first}', '--\nС уважением, {name}'],
    reply: 'Re: ', forward: 'Fwd: ',
    attribution: ['{dmy} {hm}, {name} пишет:', '{dmy}, {name} <{addr}> написал(а):'],
  },
  ja: {
    sentences: ['いつもお世話になっております。', '会議の資料を送ります。ご確認のほど、よろしくお願いいたします。', '明日の打ち合わせは午後三時からに変更になりました。', '添付ファイルをご覧ください。', '見積書を修正しましたので、再度お送りします。', '来週の出張の件、承知いたしました。', '新しいバージョンのテストが完了しました。'],
    greetings: ['{last}様', '{last}さん', '各位', '{last}さん、お疲れさまです。'],
    closings: ['よろしくお願いいたします。\n{name}', '以上、よろしくお願いします。\n{last}'],
    reply: 'Re: ', forward: 'Fw: ',
    attribution: ['{dmy} {hm} {name} <{addr}>:', '{name} wrote:'],
  },
  zh: {
    sentences: ['您好，附件是上个月的销售报告，请查收。', '我们下周二开会讨论新版本的发布计划。', '谢谢您的及时回复。', '请确认发票信息是否正确。', '服务器升级已经完成，请大家测试一下。', '客户对新功能很满意，希望尽快上线。'],
    greetings: ['{name}，您好：', '各位好，', '{first}：'],
    closings: ['祝好，\n{name}', '此致\n敬礼\n{name}', '谢谢！\n{name}'],
    reply: '回复: ', forward: '转发: ',
    attribution: ['在 {dmy} {hm}，{name} <{addr}> 写道：'],
  },
};

const EN: Lang = {
  sentences: [],
  greetings: ['Hi {first},', 'Hello {first},', 'Dear {first} {last},', '{first} -', 'Hey team,', 'Hi all,', '', 'Good morning,'],
  closings: ['Thanks,\n{first}', 'Best regards,\n{name}', 'Cheers,\n{first}', 'Thank you!\n\n{first}', '{first}', 'Best,\n{first}\n\nSent from my iPhone', 'Regards,\n{name}'],
  reply: 'Re: ', forward: 'Fwd: ',
  attribution: ['On {long}, {name} <{addr}> wrote:', 'On {long} {name} <\n{addr}> wrote:', 'On {dmy}, at {hm}, {name} <{addr}> wrote:', '{name} wrote:', '* {name} <{addr}> [{iso}]:'],
};

const langOf = (l: Locale): Lang => (l === 'en' ? EN : LANGS[l]);

const SUBJECTS_EN = ['Invoice {n} for March', 'Quick question about the {area} setup', 'Meeting notes {d}', 'Re-scheduling our call', 'Proposal for {customer}', 'Access to the staging server', 'Q{q} planning', 'Follow-up: {area}', 'Contract renewal', 'Your order #{n} has shipped', 'Action required: {area} review', 'Lunch on Friday?', 'Draft for the board deck', 'Bug in {area} export', 'Welcome aboard!', 'Travel expenses {d}', 'Updated pricing', 'Candidate feedback', 'Outage postmortem', 'New office Wi-Fi password'];
const SUBJECTS: Record<Exclude<Locale, 'en'>, string[]> = {
  de: ['Angebot Nr. {n}', 'Rückfrage zur Lieferung', 'Protokoll Besprechung {d}', 'Terminverschiebung', 'Änderungen am Vertrag', 'Rechnung {n} – Zahlungserinnerung'],
  fr: ['Compte-rendu réunion {d}', 'Devis n°{n}', 'Question sur la facturation', 'Accès à la plateforme', 'Réunion de lancement – préparation'],
  es: ['Presupuesto {n}', 'Reunión del miércoles', 'Pedido pendiente', 'Información sobre la facturación', 'Revisión del contrato'],
  pl: ['Faktura {n}', 'Spotkanie w przyszłym tygodniu', 'Zestawienie kosztów – kwartał {q}', 'Prośba o akceptację'],
  ru: ['Отчёт за {d}', 'Счёт №{n}', 'Перенос встречи', 'Вопрос по договору', 'Новая версия: результаты тестирования'],
  ja: ['会議資料の送付', '見積書（修正版）', '打ち合わせ日程の変更', '出張の件', 'テスト結果のご報告'],
  zh: ['销售报告 {d}', '发票确认', '会议通知', '新版本发布计划'],
};
const AREAS = ['billing', 'SSO', 'Salesforce sync', 'CSV export', 'mobile app', 'webhooks', 'onboarding', 'reporting', 'API limits', 'search'];
const CUSTOMERS = ['Acme Corp', 'Initech', 'Globex', 'Umbrella', 'Hooli', 'Vandelay Industries', 'Stark Industries', 'Soylent', 'Cyberdyne', 'Massive Dynamic'];

const DISCLAIMER = 'CONFIDENTIALITY NOTICE: This e-mail message, including any attachments, is for the sole use of the intended recipient(s) and may contain confidential and privileged information. Any unauthorized review, use, disclosure or distribution is prohibited. If you are not the intended recipient, please contact the sender by reply e-mail and destroy all copies of the original message. Thank you.';

// ---------------------------------------------------------------------------------------------
// Dates

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** The wall-clock parts of a UTC time seen in a zone (minutes east). */
function local(ms: number, zone: number) {
  const d = new Date(ms + zone * 60_000);
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth(), d: d.getUTCDate(), wd: d.getUTCDay(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() };
}
/** RFC 5322 date, the plain form (Received lines, quoted headers). */
function rfcDate(ms: number, zone: number): string {
  const t = local(ms, zone);
  return `${DAYS[t.wd]}, ${t.d} ${MONTHS[t.mo]} ${t.y} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)} ${zoneText(zone)}`;
}
const zoneText = (zone: number) => `${zone < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(zone) / 60))}${p2(Math.abs(zone) % 60)}`;

/** A Date header: mostly RFC 5322, some obsolete forms (RFC 5322 section 4.3) and odd spacing, as found in old archives. */
function dateHeader(r: Rand, ms: number, zone: number): string {
  const t = local(ms, zone);
  const z = zoneText(zone);
  const hms = `${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}`;
  const form = r();
  if (form < 0.8) return `${DAYS[t.wd]}, ${r() < 0.5 ? t.d : p2(t.d)} ${MONTHS[t.mo]} ${t.y} ${hms} ${z}${zone === 60 && r() < 0.3 ? ' (CET)' : ''}`;
  if (form < 0.85) return `${t.d} ${MONTHS[t.mo]} ${t.y} ${hms} ${z}`;
  if (form < 0.89) {
    // Obsolete zone names: only meaningful for their own offsets, so state the time in that zone.
    const [name, off] = pick(r, [['GMT', 0], ['UT', 0], ['EST', -300], ['EDT', -240], ['PST', -480], ['PDT', -420], ['CST', -360]] as const);
    const u = local(ms, off);
    return `${DAYS[u.wd]}, ${u.d} ${MONTHS[u.mo]} ${u.y} ${p2(u.h)}:${p2(u.mi)}:${p2(u.s)} ${name}`;
  }
  if (form < 0.92) return `${DAYS[t.wd]}, ${t.d} ${MONTHS[t.mo]} ${String(t.y).slice(2)} ${hms} ${z}`;
  if (form < 0.95) return `${DAYS[t.wd]}, ${t.d} ${MONTHS[t.mo]} ${t.y} ${p2(t.h)}:${p2(t.mi)} ${z}`;
  if (form < 0.97) return `${DAYS[t.wd]},  ${t.d}  ${MONTHS[t.mo]}  ${t.y}  ${hms}  ${z}`;
  if (form < 0.99) return `${DAYS[t.wd]}, ${t.d} ${MONTHS[t.mo]} ${t.y} ${hms} -0000`;
  return `${DAYS[t.wd].toLowerCase()}, ${p2(t.d)} ${MONTHS[t.mo].toUpperCase()} ${t.y} ${hms} ${z}`;
}

/** "Monday, January 4, 2021 10:24 PM", as Outlook quotes. */
function outlookDate(ms: number, zone: number): string {
  const t = local(ms, zone);
  const h12 = t.h % 12 === 0 ? 12 : t.h % 12;
  return `${LONG_DAYS[t.wd]}, ${LONG_MONTHS[t.mo]} ${t.d}, ${t.y} ${h12}:${p2(t.mi)} ${t.h < 12 ? 'AM' : 'PM'}`;
}
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** asctime, as in the mbox "From " line. */
function asctime(ms: number): string {
  const t = local(ms, 0);
  return `${DAYS[t.wd]} ${MONTHS[t.mo]} ${String(t.d).padStart(2, ' ')} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)} ${t.y}`;
}

// ---------------------------------------------------------------------------------------------
// Message parts

interface Leaf {
  headers: string[];
  body: string;
}
interface Multi {
  headers: string[];
  boundary: string;
  parts: Part[];
  preamble?: string;
}
type Part = Leaf | Multi;

function render(p: Part): string {
  if ('body' in p) return `${p.headers.join('\n')}\n\n${p.body}`;
  const out = [`${p.headers.join('\n')}\n\n${p.preamble ? `${p.preamble}\n` : ''}`];
  for (const c of p.parts) out.push(`--${p.boundary}\n${render(c)}\n`);
  out.push(`--${p.boundary}--\n`);
  return out.join('');
}

function multipart(r: Rand, subtype: string, client: Client | 'bot', parts: Part[], extra = '', preamble?: string): Multi {
  const boundary = boundaryFor(r, client);
  return { headers: [`Content-Type: multipart/${subtype}; boundary="${boundary}"${extra}`], boundary, parts, preamble };
}

function boundaryFor(r: Rand, client: Client | 'bot'): string {
  switch (client) {
    case 'gmail':
      return `000000000000${hex(r, 12)}`;
    case 'outlook':
      return `_000_${hex(r, 8).toUpperCase()}AM6PR04MB${int(r, 1000, 9999)}eurp_`;
    case 'apple':
      return `Apple-Mail=_${hex(r, 8).toUpperCase()}-${hex(r, 4).toUpperCase()}-${hex(r, 4).toUpperCase()}-${hex(r, 12).toUpperCase()}`;
    case 'bot':
      return `----=_Part_${int(r, 1, 99999)}_${int(r, 100000, 999999)}.${1_600_000_000_000 + int(r, 0, 99_999_999)}`;
    default:
      return `------------${hex(r, 24)}`;
  }
}

function textLeaf(text: string, subtype: 'plain' | 'html', charsetSpec: string, extra = ''): Leaf {
  let [charset, cte] = charsetSpec.split('/') as [Charset, Cte];
  let bytes = encodeText(text, charset);
  // A client picks a charset that holds the whole text (a quoted reply may be in another language).
  if (charset !== 'utf-8' && countQ(bytes) > countQ(text)) {
    charset = 'utf-8';
    if (cte === '7bit') cte = 'quoted-printable';
    bytes = utf8(text);
  }
  // Plain ASCII needs no encoding: clients then say 7bit whatever they would use otherwise.
  const effective: Cte = isAscii(bytes) && cte !== 'base64' && !(cte === 'quoted-printable' && subtype === 'html') ? '7bit' : cte;
  const quoted = charset === 'us-ascii' || charset === 'utf-8' ? `"${charset === 'utf-8' ? 'UTF-8' : 'us-ascii'}"` : charset;
  return {
    headers: [`Content-Type: text/${subtype}; charset=${quoted}${extra}`, `Content-Transfer-Encoding: ${effective}`],
    body: transferEncode(bytes, effective),
  };
}

// ---------------------------------------------------------------------------------------------
// Random bytes for attachments and signatures: one pool, sliced.

const POOL_BYTES = 512 * 1024;

function randomPool(seed: number): Buffer {
  const r = mulberry32(seed ^ 0xb10b);
  const buf = Buffer.allocUnsafe(POOL_BYTES);
  for (let i = 0; i < POOL_BYTES; i += 4) buf.writeUInt32LE(Math.floor(r() * 4294967296), i);
  return buf;
}

const MAGIC: Record<string, Buffer> = {
  'application/pdf': Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n', 'latin1'),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]),
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0]),
  'application/zip': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x0a, 0, 0, 0]),
};
const ATTACHMENT_NAMES: Record<string, string[]> = {
  'application/pdf': ['invoice_{n}.pdf', 'Contract draft v{v}.pdf', 'Q{q} report.pdf', 'Angebot_{n}.pdf', 'Résumé.pdf', 'Счёт {n}.pdf', '見積書.pdf'],
  'image/png': ['image001.png', 'screenshot {d}.png', 'Screen Shot 2024-03-0{q} at 10.1{q}.png', 'diagram.png'],
  'image/jpeg': ['IMG_{n}.jpg', 'photo.jpeg', 'Foto Büro.jpg'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['forecast_Q{q}.xlsx', 'Zestawienie kosztów.xlsx', 'budget {d}.xlsx'],
  'application/zip': ['logs-{d}.zip', 'export_{n}.zip'],
};

// ---------------------------------------------------------------------------------------------
// The generator

export interface MailCorpusStats {
  messages: number;
  bytes: number;
  maxMessageBytes: number;
  /** Messages by top-level shape. */
  kinds: Record<string, number>;
  /** Body parts by charset/transfer encoding. */
  charsets: Record<string, number>;
  replies: number;
  mailingList: number;
  attachments: number;
  crlf: number;
  /** Lines quoted as ">From " in the mbox. */
  fromQuoted: number;
  /** Messages sharing the Message-ID of an earlier one (cross-posted): stored once. */
  repeatedMessageIds: number;
  noMessageId: number;
  senders: number;
}

interface Thread {
  subject: string;
  ids: string[];
  /** Who wrote or was addressed: the next replies come mostly from them. */
  people: number[];
  list: number;
  lastText: string;
  lastFrom: number;
  lastDate: number;
}

interface MailingList {
  id: string;
  name: string;
  address: string;
}

interface Built {
  /** The "From " line, the message (mboxrd-quoted) and the blank line after it. */
  bytes: Bytes;
}

const MAX_THREADS = 400;

/** The generator's state: people, lists, open threads, the clock. One instance writes one file. */
class MailFactory {
  private readonly r: Rand;
  private readonly people: Person[];
  private readonly lists: MailingList[];
  private readonly pool: Buffer;
  private readonly poolB64: string;
  private readonly threads: Thread[] = [];
  private readonly listMessages: { id: string; index: number }[] = [];
  private clock = Date.UTC(2021, 0, 4, 8, 0, 0);
  private corpusIndex = 0;
  readonly senders = new Set<number>();
  readonly stats: MailCorpusStats = { messages: 0, bytes: 0, maxMessageBytes: 0, kinds: {}, charsets: {}, replies: 0, mailingList: 0, attachments: 0, crlf: 0, fromQuoted: 0, repeatedMessageIds: 0, noMessageId: 0, senders: 0 };

  constructor(seed: number) {
    this.r = mulberry32(seed);
    this.people = makePeople(8000, seed);
    this.lists = Array.from({ length: 24 }, (_, k) => {
      const project = pick(this.r, ['apollo', 'hermes', 'zephyr', 'orion', 'kestrel', 'quill', 'nimbus', 'atlas']);
      const kind = pick(this.r, ['dev', 'users', 'announce', 'ops', 'sales', 'all-hands']);
      return { id: `${kind}.${project}${k}.lists.example`, name: `${project}${k}-${kind}`, address: `${project}${k}-${kind}@lists.example` };
    });
    this.pool = randomPool(seed);
    this.poolB64 = this.pool.subarray(0, 96 * 1024).toString('base64');
  }

  private count(table: Record<string, number>, key: string) {
    table[key] = (table[key] ?? 0) + 1;
  }

  /** A sender: a Zipf-like pick, so a few people write a lot and thousands write a little. */
  private person(): number {
    return Math.floor(this.people.length * this.r() ** 2.2);
  }

  private b64(n: number): string {
    const at = Math.floor(this.r() * (this.poolB64.length - n));
    return this.poolB64.slice(at, at + n);
  }

  private address(p: Person, plain = false): string {
    const r = this.r;
    if (plain) return p.address;
    const style = r();
    const name = isAscii(p.name)
      ? p.name
      : encodedWords(p.name, p.locale === 'ja' ? pick(r, ['iso-2022-jp', 'utf-8'] as const) : p.locale === 'ru' ? pick(r, ['koi8-r', 'utf-8'] as const) : p.locale === 'zh' ? 'utf-8' : p.locale === 'pl' ? 'iso-8859-2' : pick(r, ['utf-8', 'iso-8859-1'] as const), r() < 0.5 ? 'B' : 'Q');
    if (style < 0.6) return `${name} <${p.address}>`;
    if (style < 0.72 && isAscii(p.first + p.last)) return `"${p.last}, ${p.first}" <${p.address}>`;
    if (style < 0.9) return `${isAscii(p.name) ? `"${p.name}"` : name} <${p.address}>`;
    if (style < 0.96) return p.address;
    if (style < 0.98) return `<${p.address}>`;
    return isAscii(p.name) ? `${p.address} (${p.name})` : p.address;
  }

  private fill(s: string, p: Person): string {
    return s.replace(/\{first\}/g, p.first).replace(/\{last\}/g, p.last).replace(/\{name\}/g, p.name);
  }

  private subject(p: Person): string {
    const r = this.r;
    const t = p.locale === 'en' || r() < 0.2 ? pick(r, SUBJECTS_EN) : pick(r, SUBJECTS[p.locale]);
    return t
      .replace('{n}', String(int(r, 1000, 99999)))
      .replace('{area}', pick(r, AREAS))
      .replace('{customer}', pick(r, CUSTOMERS))
      .replace('{q}', String(int(r, 1, 4)))
      .replace('{d}', `${p2(int(r, 1, 28))}.${p2(int(r, 1, 12))}.`);
  }

  /** A few paragraphs in the sender's language. */
  private paragraphs(p: Person, min: number, max: number): string {
    const r = this.r;
    const n = int(r, min, max);
    const out: string[] = [];
    for (let k = 0; k < n; k++) {
      if (p.locale === 'en' || r() < 0.1) {
        const sentences = int(r, 1, 3);
        const parts: string[] = [];
        for (let j = 0; j < sentences; j++) parts.push(corpusMessage(this.corpusIndex++ * 7919 + 13).content);
        let para = parts.join(' ');
        // "From ..." at the start of a line: the line the mbox format has to quote.
        if (r() < 0.05) para = `From ${pick(r, ['what I understand', 'the logs', 'our side', 'my notes', 'the call yesterday'])}, ${para[0].toLowerCase()}${para.slice(1)}`;
        out.push(para);
      } else {
        const lang = LANGS[p.locale as Exclude<Locale, 'en'>];
        const s = int(r, 1, 3);
        const parts: string[] = [];
        for (let j = 0; j < s; j++) parts.push(pick(r, lang.sentences));
        out.push(parts.join(p.locale === 'ja' || p.locale === 'zh' ? '' : ' '));
      }
    }
    return out.join('\n\n');
  }

  private signature(p: Person): string {
    const r = this.r;
    if (r() < 0.5) return '';
    const lines = [`-- `, p.name, `${p.title} | Company ${p.company}`];
    if (r() < 0.6) lines.push(`Tel. +1 (555) 01${int(r, 0, 9)}-${int(r, 1000, 9999)}`, `https://www.company${p.company}.example`);
    if (r() < 0.12) lines.push('', DISCLAIMER);
    return `\n\n${lines.join('\n')}`;
  }

  private attribution(sender: Person, prev: Person, ms: number): string {
    const lang = langOf(sender.locale);
    const t = local(ms, sender.zone);
    const h12 = t.h % 12 === 0 ? 12 : t.h % 12;
    return pick(this.r, lang.attribution)
      .replace('{long}', `${DAYS[t.wd]}, ${MONTHS[t.mo]} ${t.d}, ${t.y} at ${h12}:${p2(t.mi)} ${t.h < 12 ? 'AM' : 'PM'}`)
      .replace('{dmy}', `${p2(t.d)}.${p2(t.mo + 1)}.${t.y}`)
      .replace('{hm}', `${p2(t.h)}:${p2(t.mi)}`)
      .replace('{iso}', `${t.y}-${p2(t.mo + 1)}-${p2(t.d)} ${p2(t.h)}:${p2(t.mi)}`)
      .replace('{name}', prev.name)
      .replace('{addr}', prev.address);
  }

  private messageId(p: Person, ms: number): string {
    const r = this.r;
    switch (p.client) {
      case 'gmail':
        return `<CA${this.b64(40).replace(/[+/]/g, '_')}${this.stats.messages.toString(36)}@mail.gmail.example>`;
      case 'outlook':
        return `<AM6PR04MB${int(r, 1000, 9999)}${hex(r, 20).toUpperCase()}${this.stats.messages.toString(36).toUpperCase()}@AM6PR04MB${int(r, 1000, 9999)}.eurprd04.prod.outlook.example>`;
      case 'apple':
        return `<${hex(r, 8).toUpperCase()}-${hex(r, 4).toUpperCase()}-${hex(r, 4).toUpperCase()}-${this.stats.messages.toString(16).padStart(4, '0')}-${hex(r, 12).toUpperCase()}@company${p.company}.example>`;
      default: {
        const t = local(ms, 0);
        return `<${t.y}${p2(t.mo + 1)}${p2(t.d)}${p2(t.h)}${p2(t.mi)}${p2(t.s)}.${this.stats.messages}.${hex(r, 6)}@${p.address.split('@')[1]}>`;
      }
    }
  }

  /** Received, DKIM, ARC, authentication: the header block real delivered mail carries (often half its size). */
  private traceHeaders(sender: Person, rcpt: string, ms: number): string[] {
    const r = this.r;
    const out: string[] = [];
    const hops = int(r, 1, 4);
    const senderDomain = sender.address.split('@')[1];
    const rcptDomain = rcpt.split('@')[1] ?? 'company0.example';
    let t = ms + int(r, 2, 40) * 1000;
    out.push(`Delivered-To: ${rcpt}`);
    for (let h = 0; h < hops; h++) {
      const ip = `${pick(r, ['192.0.2', '198.51.100', '203.0.113'])}.${int(r, 1, 254)}`;
      const id = hex(r, 10).toUpperCase();
      out.push(
        h === 0
          ? `Received: by 2002:a05:${hex(r, 4)}:${hex(r, 4)}:b0:${hex(r, 3)}:${hex(r, 4)} with SMTP id ${hex(r, 8)}csp${int(r, 100000, 999999)}${pick(r, ['lqb', 'rwb', 'ejc'])};\n        ${rfcDate(t, 0)}`
          : `Received: from mail-${pick(r, ['wr1', 'ej1', 'lf1', 'pf1'])}-f${int(r, 10, 99)}.${senderDomain} (mail-${hex(r, 3)}.${senderDomain} [${ip}])\n        by mx${h}.${rcptDomain} (Postfix) with ESMTPS id ${id}\n        for <${rcpt}>; ${rfcDate(t, 60)} (CET)`,
      );
      t -= int(r, 1, 5) * 1000;
    }
    if (r() < 0.6) out.push(`Return-Path: <${sender.address}>`);
    if (r() < 0.2) {
      out.push(
        `ARC-Seal: i=1; a=rsa-sha256; t=${Math.floor(ms / 1000)}; cv=none;\n        d=google.example; s=arc-20160816;\n        b=${this.b64(70)}\n         ${this.b64(70)}\n         ${this.b64(70)}\n         ${this.b64(70)}\n         ${this.b64(60)}==`,
        `ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=google.example; s=arc-20160816;\n        h=to:subject:message-id:date:from:mime-version:dkim-signature;\n        bh=${this.b64(43)}=;\n        b=${this.b64(70)}\n         ${this.b64(70)}\n         ${this.b64(70)}\n         ${this.b64(70)}\n         ${this.b64(60)}==`,
        `ARC-Authentication-Results: i=1; mx.google.example;\n       dkim=pass header.i=@${senderDomain} header.s=20230601 header.b=${this.b64(8)};\n       spf=pass (google.example: domain of ${sender.address} designates 192.0.2.${int(r, 1, 254)} as permitted sender) smtp.mailfrom=${sender.address};\n       dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=${senderDomain}`,
      );
    }
    if (r() < 0.55) {
      out.push(`Authentication-Results: mx.${rcptDomain};\n\tdkim=pass (2048-bit key) header.d=${senderDomain} header.i=@${senderDomain} header.b="${this.b64(8)}";\n\tspf=pass smtp.mailfrom=${senderDomain}`);
      out.push(
        `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n        d=${senderDomain}; s=${pick(r, ['20230601', 'selector1', 'google', 'mail'])}; t=${Math.floor(ms / 1000)}; x=${Math.floor(ms / 1000) + 604800}; darn=${rcptDomain};\n        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject\n         :date:message-id:reply-to;\n        bh=${this.b64(43)}=;\n        b=${this.b64(70)}\n         ${this.b64(70)}\n         ${this.b64(70)}\n         ${this.b64(70)}\n         ${this.b64(60)}==`,
      );
    }
    if (r() < 0.3) out.push(`X-Google-Smtp-Source: AGHT+I${this.b64(80)}`, `X-Received: by 2002:a17:906:${hex(r, 4)}:b0:${hex(r, 3)}:${hex(r, 4)} with SMTP id ${hex(r, 8)}ejc.${int(r, 1, 99)}.${Math.floor(ms / 1000)};\n        ${rfcDate(ms, -480)}`);
    return out;
  }

  private recipients(sender: number, n: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      const p = this.person();
      out.push(p === sender ? (p + 1) % this.people.length : p);
    }
    return out;
  }

  private charsetFor(p: Person): string {
    return weighted(this.r, CHARSETS[p.locale] as [string, number][]);
  }

  /** HTML of a person-written mail, in the style of its client; the quoted mail in a blockquote. */
  private personHtml(p: Person, ownText: string, attribution: string | null, quoted: string | null): string {
    const r = this.r;
    const paras = ownText.split('\n\n').map((para) => escapeHtml(para).replace(/\n/g, '<br>\n'));
    const quote = quoted === null ? '' : escapeHtml(quoted.slice(0, 6000)).replace(/\n/g, '<br>\n');
    switch (p.client) {
      case 'outlook':
        return `<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<style><!--
/* Font Definitions */
@font-face
\t{font-family:"Cambria Math";
\tpanose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
\t{font-family:Calibri;
\tpanose-1:2 15 5 2 2 2 4 3 2 4;}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
\t{margin:0cm;
\tfont-size:11.0pt;
\tfont-family:"Calibri",sans-serif;
\tmso-ligatures:standardcontextual;}
a:link, span.MsoHyperlink
\t{mso-style-priority:99;
\tcolor:#0563C1;
\ttext-decoration:underline;}
span.EmailStyle${int(r, 17, 30)}
\t{mso-style-type:personal-reply;
\tfont-family:"Calibri",sans-serif;
\tcolor:windowtext;}
.MsoChpDefault
\t{mso-style-type:export-only;
\tfont-size:10.0pt;}
@page WordSection1
\t{size:612.0pt 792.0pt;
\tmargin:72.0pt 72.0pt 72.0pt 72.0pt;}
div.WordSection1
\t{page:WordSection1;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]-->
</head>
<body lang="EN-US" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
${paras.map((x) => `<p class="MsoNormal">${x}<o:p></o:p></p>\n<p class="MsoNormal"><o:p>&nbsp;</o:p></p>`).join('\n')}
${quote ? `<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n<p class="MsoNormal"><b>From:</b> ${escapeHtml(attribution ?? '')}<o:p></o:p></p>\n</div>\n<p class="MsoNormal">${quote}<o:p></o:p></p>` : ''}
</div>
</body>
</html>
`;
      case 'gmail':
        return `<div dir="ltr">${paras.join('<div><br></div><div>')}</div>${quote ? `<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">${escapeHtml(attribution ?? '')}<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">${quote}</blockquote></div>` : ''}\n`;
      default:
        return `<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">${paras.map((x) => `<div>${x}</div><div><br></div>`).join('')}${quote ? `<div><br><blockquote type="cite"><div>${escapeHtml(attribution ?? '')}</div><br><div><div>${quote}</div></div></blockquote></div>` : ''}</body></html>\n`;
    }
  }

  /** A newsletter or notification: table layout, a style block, a few KB up to a few hundred. */
  private newsletterHtml(sender: string, items: number): string {
    const r = this.r;
    const css: string[] = [];
    for (let k = 0; k < int(r, 8, 40); k++) css.push(`.c${hex(r, 4)} { font-family: Helvetica, Arial, sans-serif; font-size: ${int(r, 11, 22)}px; color: #${hex(r, 6)}; padding: ${int(r, 0, 24)}px ${int(r, 0, 24)}px; line-height: 1.${int(r, 2, 6)}; }`);
    const rows: string[] = [];
    for (let k = 0; k < items; k++) {
      const text = escapeHtml(corpusMessage(this.corpusIndex++ * 7919 + 5).content);
      const title = escapeHtml(pick(r, SUBJECTS_EN).replace(/\{\w+\}/g, () => String(int(r, 1, 99))));
      rows.push(`<tr>
  <td class="content-block" style="padding:16px 24px;border-bottom:1px solid #eeeeee;" valign="top">
    <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>
      <td width="120" valign="top"><img src="https://cdn.${sender}/img/${hex(r, 16)}.jpg" width="120" height="80" alt="" style="display:block;border:0;"></td>
      <td style="padding-left:16px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:22px;color:#333333;">
        <h2 style="margin:0 0 8px 0;font-size:18px;color:#111111;">${title}</h2>
        <p style="margin:0 0 12px 0;">${text}</p>
        <a href="https://${sender}/r/${hex(r, 24)}?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=${hex(r, 6)}" style="color:#1a73e8;text-decoration:none;font-weight:bold;">Read more &rarr;</a>
      </td>
    </tr></table>
  </td>
</tr>`);
    }
    return `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(sender)}</title>
<style type="text/css">
body { margin: 0; padding: 0; -webkit-text-size-adjust: 100%; }
table { border-collapse: collapse; mso-table-lspace: 0pt; mso-table-rspace: 0pt; }
@media only screen and (max-width: 620px) { .wrapper { width: 100% !important; } .content-block { padding: 8px !important; } }
${css.join('\n')}
</style>
</head>
<body style="margin:0;padding:0;background-color:#f4f4f4;">
<div style="display:none;max-height:0;overflow:hidden;">${escapeHtml(corpusMessage(this.corpusIndex++).content)}&zwnj;&nbsp;&zwnj;&nbsp;</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f4f4f4"><tr><td align="center">
<table class="wrapper" role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff">
<tr><td style="padding:24px;"><img src="https://cdn.${sender}/logo.png" width="160" alt="${escapeHtml(sender)}"></td></tr>
${rows.join('\n')}
<tr><td style="padding:24px;font-size:12px;color:#999999;font-family:Helvetica,Arial,sans-serif;">
You are receiving this email because you subscribed at ${escapeHtml(sender)}. <a href="https://${sender}/unsubscribe/${hex(r, 32)}" style="color:#999999;">Unsubscribe</a> | <a href="https://${sender}/preferences" style="color:#999999;">Preferences</a><br>
&copy; 2024 ${escapeHtml(sender)}, 1 Example Street, Springfield
</td></tr>
</table>
</td></tr></table>
</body></html>
`;
  }

  /** An attachment of `min` to `max` bytes (before base64), most of them small. */
  private attachment(min = 2_000, max = 120_000): Leaf {
    const r = this.r;
    const type = weighted(r, [['application/pdf', 40], ['image/png', 20], ['image/jpeg', 15], ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 15], ['application/zip', 5], ['text/calendar', 5]] as const);
    if (type === 'text/calendar') {
      const t = local(this.clock + int(r, 1, 14) * 86_400_000, 0);
      const stamp = `${t.y}${p2(t.mo + 1)}${p2(t.d)}T${p2(t.h)}0000Z`;
      const ics = `BEGIN:VCALENDAR\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nVERSION:2.0\nCALSCALE:GREGORIAN\nMETHOD:REQUEST\nBEGIN:VEVENT\nDTSTART:${stamp}\nDTEND:${stamp}\nDTSTAMP:${stamp}\nORGANIZER;CN=Organizer:mailto:organizer@company1.example\nUID:${hex(r, 26)}@google.example\nATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Guest;X-NUM-GUESTS=0:mailto:guest@company2.example\nDESCRIPTION:${corpusMessage(this.corpusIndex++).content}\nSEQUENCE:0\nSTATUS:CONFIRMED\nSUMMARY:Sync\nTRANSP:OPAQUE\nEND:VEVENT\nEND:VCALENDAR\n`;
      return { headers: ['Content-Type: application/ics; name="invite.ics"', 'Content-Disposition: attachment; filename="invite.ics"', 'Content-Transfer-Encoding: base64'], body: base64Lines(ics) };
    }
    const size = logUniform(r, min, max);
    const at = Math.floor(r() * (POOL_BYTES - size));
    const data = Buffer.concat([MAGIC[type], this.pool.subarray(at, at + size)]);
    const name = pick(r, ATTACHMENT_NAMES[type]).replace('{n}', String(int(r, 100, 9999))).replace('{v}', String(int(r, 1, 9))).replace(/\{q\}/g, String(int(r, 1, 4))).replace('{d}', `2024-0${int(r, 1, 9)}-1${int(r, 0, 9)}`);
    let disposition: string;
    let ctName: string;
    if (isAscii(name)) {
      disposition = `attachment; filename="${name}"`;
      ctName = `name="${name}"`;
    } else if (r() < 0.5) {
      // RFC 2231, as Thunderbird and Apple Mail write it.
      disposition = `attachment;\n filename*=utf-8''${encodeURIComponent(name)}`;
      ctName = `name*=utf-8''${encodeURIComponent(name)}`;
    } else {
      // Encoded words in a parameter: not allowed by the RFC, written by Outlook and Gmail all the same.
      const w = encodedWords(name, 'utf-8', 'B').replace(/\n /g, '');
      disposition = `attachment; filename="${w}"`;
      ctName = `name="${w}"`;
    }
    const inline = type.startsWith('image/') && r() < 0.3;
    return {
      headers: [`Content-Type: ${type}; ${ctName}`, `Content-Disposition: ${inline ? disposition.replace('attachment', 'inline') : disposition}`, 'Content-Transfer-Encoding: base64', ...(inline ? [`Content-ID: <ii_${hex(r, 16)}>`] : []), ...(r() < 0.4 ? [`X-Attachment-Id: f_${hex(r, 10)}`] : [])],
      body: base64Lines(data),
    };
  }

  /** A long plain-text mail: a pasted log or CSV (50-300 KB). */
  private bulkText(): string {
    const r = this.r;
    const target = logUniform(r, 40_000, 240_000);
    const lines: string[] = [];
    let size = 0;
    let t = this.clock - 3_600_000;
    const csv = r() < 0.4;
    if (csv) lines.push('date,account,region,plan,seats,mrr_usd,status');
    while (size < target) {
      t += int(r, 1, 900);
      const line = csv
        ? `${new Date(t).toISOString().slice(0, 10)},${pick(r, CUSTOMERS)},${pick(r, ['EU', 'US', 'APAC'])},${pick(r, ['Starter', 'Team', 'Business'])},${int(r, 1, 500)},${int(r, 10, 90000)}.${p2(int(r, 0, 99))},${pick(r, ['active', 'churned', 'trial'])}`
        : `${new Date(t).toISOString()} ${pick(r, ['INFO ', 'INFO ', 'DEBUG', 'WARN ', 'ERROR'])} [${pick(r, ['worker-1', 'worker-2', 'http', 'scheduler', 'db-pool'])}] ${pick(r, ['request', 'job', 'query', 'sync'])} id=${hex(r, 12)} took ${int(r, 1, 5000)}ms${r() < 0.05 ? ` error="connection reset by peer" retry=${int(r, 1, 5)}` : ''}`;
      lines.push(line);
      size += line.length + 1;
    }
    return lines.join('\n');
  }

  next(): Built {
    const r = this.r;
    this.clock += Math.floor(-Math.log(1 - r()) * 20 * 60_000) + 1000;
    const ms = this.clock;
    const index = this.stats.messages;

    // Who writes: a bot/newsletter, or a person (in a thread or not).
    const kindRoll = r();
    const bot = kindRoll < 0.12;
    let sender = this.people[0];
    let senderIdx = -1;
    if (bot) {
      const n = Math.floor(60 * r() ** 1.5);
      const notification = r() < 0.55;
      const domain = notification ? `${['tracker', 'ci', 'calendar', 'billing', 'crm'][n % 5]}${n}.example` : `news${n}.example`;
      sender = { first: 'Notifications', last: '', name: notification ? `${domain.split('.')[0].replace(/\d+$/, '')} notifications` : `Weekly Digest ${n}`, address: notification ? `notifications@${domain}` : `newsletter@${domain}`, company: n, locale: 'en', client: 'gmail', zone: 0, title: '' };
    }

    // Threads: a reply continues a recent thread (its subject, references and quoted text),
    // mostly written by someone already in it.
    let thread: Thread | null = null;
    if (!bot && this.threads.length > 0 && r() < 0.42) thread = this.threads[this.threads.length - 1 - Math.floor(this.threads.length * r() ** 2)];
    if (!bot) {
      const others = thread ? thread.people.filter((p) => p !== thread!.lastFrom) : [];
      senderIdx = others.length && r() < 0.8 ? pick(r, others) : this.person();
      sender = this.people[senderIdx];
      this.senders.add(senderIdx);
    }
    const listIdx = thread ? thread.list : !bot && r() < 0.17 ? Math.floor(this.lists.length * r() ** 1.5) : -1;
    const ml = listIdx >= 0 ? this.lists[listIdx] : null;
    const lang = langOf(sender.locale);

    let messageId = this.messageId(sender, ms);
    // The same mail received again through another list: the same Message-ID, stored once.
    let repeated = false;
    if (ml && this.listMessages.length > 0 && r() < 0.03) {
      messageId = pick(r, this.listMessages).id;
      repeated = true;
    }
    const subjectBase = thread ? thread.subject : bot ? pick(r, SUBJECTS_EN).replace(/\{\w+\}/g, () => String(int(r, 1, 999))) : this.subject(sender);
    const subject = thread ? `${r() < 0.9 ? lang.reply : pick(r, ['Re: ', 'RE: ', 'Re: Re: ', 'Re:'])}${subjectBase}` : ml && !subjectBase.startsWith('[') ? `[${ml.name}] ${subjectBase}` : subjectBase;

    // Recipients.
    const toCount = weighted(r, [['1', 70], ['few', 25], ['many', 5]] as const);
    let toIdx: number[] = [];
    if (thread && !ml) {
      // A reply goes to whoever wrote last, and to the rest of the thread on "reply all".
      toIdx = thread.lastFrom !== senderIdx ? [thread.lastFrom] : [];
      if (r() < 0.4 || toIdx.length === 0) toIdx.push(...thread.people.filter((p) => p !== senderIdx && p !== thread!.lastFrom).slice(0, 8));
      if (toIdx.length === 0) toIdx = this.recipients(senderIdx, 1);
    } else if (!ml) toIdx = this.recipients(senderIdx, toCount === '1' ? 1 : toCount === 'few' ? int(r, 2, 5) : int(r, 10, 40));
    const to = toIdx.map((k) => this.people[k]);
    const ccRoll = r();
    const ccIdx = ccRoll < 0.6 || bot ? [] : this.recipients(senderIdx, ccRoll < 0.95 ? int(r, 1, 3) : int(r, 5, 20));
    const cc = ccIdx.map((k) => this.people[k]);
    const firstRcpt = ml ? ml.address : to[0].address;

    // The text the sender writes, and what is quoted below it.
    const greetingFor = to[0] ?? (thread ? this.people[thread.lastFrom] : sender);
    let own = '';
    let attribution: string | null = null;
    let quoted: string | null = null;
    let prev: Person | null = null;
    let bulk = false;
    if (!bot) {
      const greeting = this.fill(pick(r, lang.greetings), greetingFor);
      own = `${greeting ? `${greeting}\n\n` : ''}${this.paragraphs(sender, thread ? 1 : 1, thread ? 3 : 5)}\n\n${this.fill(pick(r, lang.closings), sender)}${this.signature(sender)}`;
      bulk = r() < 0.002;
      if (bulk) own += `\n\n${this.bulkText()}`;
      if (thread && r() < 0.85) {
        prev = this.people[thread.lastFrom];
        attribution = this.attribution(sender, prev, thread.lastDate);
        quoted = thread.lastText;
      }
    }
    const client: Client | 'bot' = bot ? 'bot' : sender.client;
    const outlookQuote = quoted !== null && client === 'outlook' && r() < 0.7;
    const quotedBlock =
      quoted === null
        ? ''
        : outlookQuote
          ? `\n\n-----Original Message-----\nFrom: ${prev!.name} <${prev!.address}>\nSent: ${outlookDate(thread!.lastDate, sender.zone)}\nTo: ${firstRcpt}\nSubject: ${thread!.subject}\n\n${quoted}`
          : `\n\n${attribution}\n${quoted.split('\n').map((l) => (l.startsWith('>') ? `>${l}` : l === '' ? '>' : `> ${l}`)).join('\n')}`;
    const text = wrap(own, client === 'mutt' || client === 'thunderbird' ? 72 : 998) + quotedBlock;

    // The MIME structure.
    const charsetSpec = bot ? (r() < 0.8 ? 'utf-8/quoted-printable' : 'us-ascii/7bit') : this.charsetFor(sender);
    this.count(this.stats.charsets, charsetSpec);
    // HTML goes quoted-printable (Gmail's is one long line), ISO-2022-JP stays 7bit, base64 stays base64.
    const htmlSpec = charsetSpec.endsWith('base64') || charsetSpec.startsWith('iso-2022-jp') ? charsetSpec : `${charsetSpec.split('/')[0]}/quoted-printable`;
    let root: Part;
    let kind: string;
    if (bot) {
      const items = r() < 0.01 ? int(r, 40, 120) : logUniform(r, 1, 20);
      const html = this.newsletterHtml(sender.address.split('@')[1], items);
      if (r() < 0.55) {
        kind = 'html-only';
        root = textLeaf(html, 'html', r() < 0.7 ? 'utf-8/quoted-printable' : 'utf-8/base64');
      } else {
        kind = 'alternative';
        const plainText = html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, '').replace(/\n\s*\n+/g, '\n\n').trim();
        root = multipart(r, 'alternative', 'bot', [textLeaf(plainText, 'plain', 'utf-8/quoted-printable'), textLeaf(html, 'html', 'utf-8/quoted-printable')]);
      }
    } else {
      const alternative = bulk ? false : client === 'outlook' ? r() < 0.95 : client === 'gmail' ? r() < 0.85 : client === 'apple' ? r() < 0.6 : client === 'thunderbird' ? r() < 0.3 : false;
      const flowed = client === 'thunderbird' || (client === 'apple' && r() < 0.5) ? '; format=flowed' : '';
      const plainLeaf = textLeaf(text, 'plain', charsetSpec, flowed);
      if (alternative) {
        const html = this.personHtml(sender, own, attribution, quoted);
        root = multipart(r, 'alternative', client, [plainLeaf, textLeaf(html, 'html', htmlSpec)]);
        kind = 'alternative';
      } else {
        root = plainLeaf;
        kind = 'plain';
      }
      if (alternative && r() < 0.04) {
        // An inline logo or picture referenced from the HTML: multipart/related.
        const img = this.attachment(1_000, 30_000);
        root = multipart(r, 'related', client, [root, img], '; type="multipart/alternative"');
        kind = 'related';
      }
      if (r() < 0.025) {
        const n = r() < 0.8 ? 1 : int(r, 2, 3);
        const parts: Part[] = [root];
        for (let k = 0; k < n; k++) parts.push(this.attachment(2_000, Math.floor(180_000 / n)));
        if (r() < 0.1) {
          // A forwarded mail as an attachment.
          const fwd = `From: ${this.address(this.people[this.person()])}\nTo: ${sender.address}\nSubject: ${encodedWords(this.subject(sender), 'utf-8', 'Q')}\nDate: ${dateHeader(r, ms - 86_400_000, sender.zone)}\nMessage-ID: <fwd.${index}.${hex(r, 8)}@company${sender.company}.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n${quotedPrintable(utf8(this.paragraphs(sender, 1, 4)))}\n`;
          parts.push({ headers: ['Content-Type: message/rfc822', 'Content-Disposition: attachment; filename="forwarded message.eml"'], body: fwd });
        }
        root = multipart(r, 'mixed', client, parts, '', client === 'apple' || client === 'mutt' ? undefined : 'This is a multi-part message in MIME format.');
        kind = 'mixed';
        this.stats.attachments++;
      }
    }
    this.count(this.stats.kinds, kind);

    // Headers, in the order a delivered mail has them: trace first.
    const h: string[] = this.traceHeaders(sender, ml ? to[0]?.address ?? this.people[this.person()].address : firstRcpt, ms);
    if (index % 2 === 0) h.unshift(`X-GM-THRID: ${1_700_000_000_000_000_000n + BigInt(index)}`, `X-Gmail-Labels: ${pick(r, ['Inbox', 'Inbox,Opened', 'Archived,Opened', 'Inbox,Important,Opened', 'Sent', 'Category Updates,Opened', 'Category Promotions,Unread', 'Inbox,Unread', 'Spam', 'Starred,Opened'])}`);
    const noMessageId = !repeated && r() < 0.003;
    if (!noMessageId) h.push(`Message-ID: ${messageId}`);
    else this.stats.noMessageId++;
    if (r() > 0.003) h.push(`Date: ${dateHeader(r, ms, sender.zone)}`);
    h.push(`From: ${this.address(sender)}`);
    if (ml) {
      h.push(`To: ${ml.address}`, `List-Id: ${r() < 0.5 ? `"${ml.name}" ` : ''}<${ml.id}>`, `List-Unsubscribe: <mailto:${ml.name}-unsubscribe@lists.example>,\n <https://lists.example/mailman/options/${ml.name}>`, `List-Archive: <https://lists.example/pipermail/${ml.name}/>`, `List-Post: <mailto:${ml.address}>`, `Precedence: ${r() < 0.5 ? 'list' : 'bulk'}`, `Sender: "${ml.name}" <${ml.name}-bounces@lists.example>`);
      this.stats.mailingList++;
    } else if (to.length > 20 && r() < 0.2) {
      h.push('To: undisclosed-recipients:;');
    } else {
      h.push(foldList('To', to.map((p) => this.address(p))));
    }
    if (cc.length) h.push(foldList('Cc', cc.map((p) => this.address(p))));
    if (bot) h.push('Auto-Submitted: auto-generated', 'Precedence: bulk', 'X-Auto-Response-Suppress: All', `List-Unsubscribe: <https://${sender.address.split('@')[1]}/unsubscribe/${hex(r, 24)}>`, 'List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    if (r() < 0.05) h.push(`Reply-To: ${this.address(this.people[this.person()])}`);
    const encodedSubject = isAscii(subject)
      ? subject.length > 70
        ? subject.replace(/(.{60,70}?) /, '$1\n ')
        : subject
      : r() < 0.02
        ? utf8(subject) // raw 8-bit UTF-8 in a header: not allowed, sent by some clients anyway
        : encodedWords(subject, charsetSpec.startsWith('iso-2022-jp') ? 'iso-2022-jp' : charsetSpec.startsWith('koi8-r') ? 'koi8-r' : charsetSpec.startsWith('iso-8859-1') ? 'iso-8859-1' : 'utf-8', r() < 0.6 ? 'B' : 'Q');
    h.push(`Subject: ${encodedSubject}`);
    if (thread) {
      const last = thread.ids[thread.ids.length - 1];
      const refs = thread.ids.slice(-12);
      if (r() < 0.95) h.push(`In-Reply-To: ${last}`);
      if (r() < 0.85) h.push(`References: ${refs.join('\n ')}`);
      this.stats.replies++;
    }
    if (client === 'outlook') h.push(`Thread-Topic: ${isAscii(subjectBase) ? subjectBase : encodedWords(subjectBase, 'utf-8', 'B')}`, `Thread-Index: A${this.b64(30)}==`, 'X-MS-Has-Attach: ', 'X-MS-Exchange-Organization-SCL: -1', `X-Mailer: Microsoft Outlook 16.0`);
    else if (client === 'apple') h.push(`X-Mailer: Apple Mail (2.3774.${int(r, 100, 600)}.1.1)`);
    else if (client === 'thunderbird') h.push(`User-Agent: Mozilla Thunderbird`, `Content-Language: ${sender.locale}`);
    else if (client === 'mutt') h.push('User-Agent: Mutt/2.2.12 (2023-09-09)');
    if (r() < 0.02) h.push('Importance: high', 'X-Priority: 1');
    if (r() > 0.01) h.push('MIME-Version: 1.0');

    const raw = `${h.join('\n')}\n${render(root)}`;
    const notByte = /.*[\u0100-\uffff].*/.exec(raw);
    if (notByte) throw new Error(`mail-corpus: message ${index} has characters that are not bytes: ${notByte[0].slice(0, 200)}`);
    // mboxrd: every line starting with "From " (or ">From ", ">>From "...) gets one more '>'.
    let quotedFrom = 0;
    let body = raw.replace(/^(>*From )/gm, (m) => {
      quotedFrom++;
      return `>${m}`;
    });
    this.stats.fromQuoted += quotedFrom;
    const crlf = r() < 0.3;
    if (crlf) {
      body = body.replace(/\n/g, '\r\n');
      this.stats.crlf++;
    }

    // The thread goes on (or starts) with this message.
    const ownId = noMessageId ? null : messageId;
    if (!bot) {
      const keep = wrap(own, 76).slice(0, 2500);
      if (thread) {
        if (ownId) thread.ids.push(ownId);
        thread.lastText = `${keep}${quoted !== null && r() < 0.5 ? `\n\n${attribution}\n${quoted.split('\n').slice(0, 30).map((l) => `> ${l}`).join('\n')}` : ''}`.slice(0, 4000);
        thread.lastFrom = senderIdx;
        if (!thread.people.includes(senderIdx) && thread.people.length < 12) thread.people.push(senderIdx);
        thread.lastDate = ms;
      } else if (ownId) {
        this.threads.push({ subject: subjectBase, ids: [ownId], people: [senderIdx, ...toIdx.slice(0, 6), ...ccIdx.slice(0, 3)], list: listIdx, lastText: keep, lastFrom: senderIdx, lastDate: ms });
        if (this.threads.length > MAX_THREADS) this.threads.shift();
      }
      if (ml && ownId && !repeated) {
        this.listMessages.push({ id: ownId, index });
        if (this.listMessages.length > 50) this.listMessages.shift();
      }
    }
    if (repeated) this.stats.repeatedMessageIds++;

    const envelope = bot ? `bounce-${hex(r, 8)}@${sender.address.split('@')[1]}` : sender.address;
    const postmark = index % 2 === 0 ? `From ${1_700_000_000_000_000_000n + BigInt(index)}@xxx ${asctime(ms).replace(/^(\w+ \w+) {1,2}(\d+)/, (_m, a: string, d: string) => `${a} ${d.padStart(2, '0')}`).replace(/(\d\d:\d\d:\d\d) (\d{4})$/, '$1 +0000 $2')}` : `From ${envelope} ${asctime(ms)}`;
    this.stats.messages++;
    const eol = crlf ? '\r\n' : '\n';
    return { bytes: `${postmark}${eol}${body}${eol}` };
  }
}

/**
 * Writes `messages` generated mails to `path` as an mbox (mboxrd) and says what is in it.
 * Streams: ~1 MB is held at a time, whatever the size of the file.
 */
export function writeMailCorpus(path: string, messages: number, seed = 20240601): MailCorpusStats {
  const factory = new MailFactory(seed);
  const fd = openSync(path, 'w');
  try {
    let chunk: string[] = [];
    let chunkBytes = 0;
    const flush = () => {
      if (chunk.length === 0) return;
      writeSync(fd, Buffer.from(chunk.join(''), 'latin1'));
      chunk = [];
      chunkBytes = 0;
    };
    for (let i = 0; i < messages; i++) {
      const m = factory.next();
      const entry = m.bytes;
      chunk.push(entry);
      chunkBytes += entry.length;
      factory.stats.bytes += entry.length;
      if (entry.length > factory.stats.maxMessageBytes) factory.stats.maxMessageBytes = entry.length;
      if (chunkBytes >= 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  factory.stats.senders = factory.senders.size;
  return factory.stats;
}
