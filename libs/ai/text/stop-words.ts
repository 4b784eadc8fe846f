/**
 * English function words, normalised the way the offline engine normalises words (lower case,
 * no diacritics, apostrophes dropped: "don't" -> "dont"). They carry little meaning on their
 * own: the embedder down-weights them, the engine ignores them as terms and cuts keyphrases on them.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are arent as at be because been before being below between both
  but by can cannot cant could couldnt did didnt do does doesnt doing dont down during each either etc few for from further
  get gets got had hadnt has hasnt have havent having he hed hell hes her here heres hers herself him himself his how hows
  i id ill im ive if in into is isnt it its itself just lets like may me might more most much must mustnt my myself neither
  no nor not now of off often on once only or other ought our ours ourselves out over own per please quite rather really
  same shall shant she shed shell shes should shouldnt so some such than that thats the their theirs them themselves then
  there theres these they theyd theyll theyre theyve this those though through thus to too under until up upon us very via
  was wasnt we wed well were weve werent what whats when whens where wheres whether which while who whos whom whose why whys
  will with within without wont would wouldnt yes yet you youd youll youre youve your yours yourself yourselves
  ok okay hi hello hey thanks thank yeah yep nope lol pls`
    .split(/\s+/)
    .filter(Boolean),
);
