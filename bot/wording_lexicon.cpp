#include "bot/wording_lexicon.hpp"

#include <deque>
#include <functional>
#include <string>
#include <unordered_map>

namespace scribe::bot::wording {
namespace {

// Word lists, space-separated. Lower-case ASCII; ' for the apostrophe.

// Given names, many languages. A name that is also a common English word is listed in
// `ambiguous_names` instead, and counts as a person only where nothing else could be meant.
constexpr std::string_view first_names =
    "aaron abby abdul abdullah abe abhishek abigail ada adam adrian adriana agnes ahmed ahmad "
    "aiden aisha ajay akira alan albert alberto alejandro aleksandr alex alexa alexander alexandra "
    "alexei alfie ali alice alicia alina alison amal amanda amara amelia amir amit amy ana anand "
    "anders andre andrea andreas andrei andres andrew andy aneesh angela angelo anil anita anja "
    "ankit ann anna annatwo anne annie anthony anton antonio anya arjun arnav arthur arun asha "
    "ashley astrid audrey ava avery ayesha bao barbara bart beatriz beck becky ben benjamin bernd "
    "beth bianca bjorn bob bobby boris brad brandon brenda brian bridget brooke bruce bruno bryan "
    "caleb camila carl carla carlos carmen carol carolina caroline carrie casey catherine cecilia "
    "charlie charlotte chen cheng chiara chloe chris christian christina christine christopher "
    "chuck claire clara claudia colin connor craig cristina daisuke dale dan dana daniel daniela "
    "danny daria darius dave david debbie deepak deepika denis dennis derek devon dharma diana "
    "diego dimitri dina dmitri dmitry dominic donald donna doug douglas dylan dylanone eduardo "
    "edward elena eli elif elijah elisa eliza elizabeth ella ellen elliot emil emily emma enrique "
    "eric erik erin ethan eva evan evelyn fabian farah fatima felix fernanda fernando filip fiona "
    "florian francesca francesco francis francisco frederik fred freya gabriel gabriela gary "
    "gemma georg george georgia gerald gina giovanni giulia giuseppe gonzalo grace greg gregory "
    "greta gustavo hana hannah hans harold harper harry hassan heidi helen helena henrik henry "
    "hiroshi hugo hussein ian ibrahim igor ilya imran ines ingrid irene isaac isabel isabella "
    "ivan jacob jae jake james jamie jan jana jane janet jasmine jason javier jay jeff jennifer "
    "jenny jeremy jerome jesse jessica jia jian jin joanna joao joe joel johan johann john jon "
    "jonas jonathan jordan jorge jose joseph josh joshua juan julia julian julie jun justin kai "
    "kamal karen karim karl kasia kate katherine kathy katie katrin kavya keith ken kenji kevin "
    "khalid kim kiran klaus kofi kristen kumar kurt kyle lakshmi lara larry laura lauren leah lee "
    "leila lena leo leon leonardo li liam lily lina linda lisa liu lorenzo louis luca lucas lucia "
    "lucy luis luka lukas luke lukasz magnus mahmoud mai maja malik manuel marc marco marcus "
    "margaret maria mariana marie marina mario marisa marius marta martin mary mateo mathias "
    "matt matteo matthew maxim maya mehmet mei melissa mia michael michal michelle miguel mihai "
    "mike mikhail mila miriam mohamed mohammed mona monica morgan mustafa nadia naomi natalia "
    "natasha nathan neha nicholas nicola nicole nikhil niklas nikolai nina noah noor nora olga "
    "oliver olivia omar oscar otto owen pablo paolo patricia patrick paul paula pavel pedro "
    "peter petra philip pierre pooja prakash priya priyanka rafael rahul raj rajesh ravi rachel "
    "rebecca reza ricardo richard rick rita robert roberto rohan roman ronald rosa ruby rui ryan "
    "sabrina sachin sahil sam samantha samir samuel sandra sanjay sara sarah sasha satoshi scott "
    "sean sebastian selin sergei sergey shanti sharon shawn shreya simon simone sofia sonia sophia "
    "sophie stefan stefano stephanie stephen steve steven sunil susan sven takeshi tamara tanya "
    "tara ted teresa thomas tiago tim timothy tina tobias todd tom tomas tommy tony tyler uma "
    "valentina valeria vanessa vera victor victoria vijay vik vikram vincent viktor vivek wang "
    "wei wendy william xavier xin yan yang yasmin yuki yusuf yuri zach zara zhang zoe zoey "
    "zhao zhou wu huang kowalski nguyen tran pham smith jones garcia muller schmidt "
    "lin ling ming hui ying xiao feng hao jie yu kofi kwame ama ade tunde chidi emeka ngozi "
    "pieter jonas sanjay marta luca greta diego stefan nikhil gabriel wei yusuf fatima olga "
    "ingrid kai anton hiroshi zara felix lukas matteo mona dana nadia chris omar priya raj bo jo "
    "mo tessa sergio bea quinn ines ollie amit noah elena rahul ravi leo kai hugo ana bianca "
    "hana yuki oscar mira liam julia pavel eva akira carla rui "
    // More given names, so that a name at the start of a sentence is known without a mention.
    "abdi adaeze adriano agata aiko aisling akash alba aldo ali alvaro amani amira anders andrea "
    "aneta angus anouk antonia arash arman arnav astrid aurora axel aya ayumi babajide beatrix "
    "benedikt bilal birgit bjorn bogdan bruno camille candice cara caspar cedric celia "
    "chiamaka chinedu chloe cian ciara cody cormac cosmin dalia damian darko dawit declan deniz "
    "dieter dmitri dominika duc dunya edgar efe eileen eitan eldar elias eliska emeka emil emre "
    "enzo erik esra esther ewa fabio faisal farid fatou femi filipa finn florence folake franz "
    "gaurav gemma gianluca gideon giulio goran gustav hamid hannes harald hasan heike helga "
    "henrique hiro ibrahima idris ignacio ilse imani ioana iris isak ismail ivana jakob jamal "
    "janek jasper jens jiho joaquin jolene jonah jorge josefina jude jules jurgen kacper kamila "
    "karina kasia katja kemal kenji keren khadija kiana kieran kirsten klara kristof kwabena "
    "lars laszlo leandro leila lennart leonie linnea lionel lorena lotte luana lucian ludwig "
    "lupe maciej madhu magda malia manon marek mariam marlene mateus maximilian mehdi meera "
    "milan milos minh mirela moritz nabil naledi nasser nathalie nell niamh nico nils nkechi "
    "noemi nour ola olamide olivier orla otis pablo paloma paulo pedro petter philippa pia "
    "piotr rafaela rahel ramon rania rashid rebekah remy renata rhea rikke rita robin rodrigo "
    "roisin rolf ronja rosalind rosa ruben sabine sadia saoirse sasha selim seo-yeon serena "
    "shira silvia simone siobhan soren stella sune svetlana tamar tanvir tarek teodor thiago "
    "tobi tomasz tove ulrich valentin vasco vera vikram vilja vinh wanjiru wiktor wojciech "
    "xiomara yaw yara yasmin yohannes yosef zainab zeynep zofia zuzana "
    "souza silva santos kumar sharma patel singh gupta rossi ferrari tanaka suzuki sato "
    "watanabe yamamoto kaur ivanov petrov novak hansen nielsen johansson andersson";

// Given names that are also common words or months. A person only as a subject before a verb.
constexpr std::string_view ambiguous_names =
    "will may mark bill grant hope faith joy rose jack max page sky summer chase drew pat sue art "
    "ray dawn rich sunny jean frank gene hunter ivy lane dean nick rob june april august eve al "
    "ed don penny river storm amber autumn sage";

constexpr std::string_view determiners =
    "the a an this that these those our their his her my your its some any every each no "
    "another whichever whatever";

// One person by job or situation.
constexpr std::string_view roles =
    "engineer developer dev programmer coder intern hire newbie rookie junior on-call oncall "
    "on-caller sre dba admin sysadmin administrator operator reviewer approver author committer "
    "contractor consultant manager lead owner guy gal girl boy man woman person employee teammate "
    "colleague coworker co-worker architect analyst tester commander responder staffer member "
    "technician specialist ic driver pilot typist deployer releaser maintainer oncaller requester "
    "submitter assignee coordinator";

// Several people.
constexpr std::string_view teams =
    "team teams dbas sres devs developers engineers admins sysadmins operators reviewers folks "
    "guys squad crew department dept vendor vendors contractors interns testers managers ops "
    "juniors newbies rookies gang crowd kids bunch "
    "devops leadership management staff group groups organisation organization organisations "
    "organizations colleagues personnel technicians responders members people eng";

// A team's name that also names a thing ("Support", "Networking"): a team only as the subject of
// something only people do.
constexpr std::string_view team_modifiers =
    "infra infrastructure networking security support qa sre dba ops devops legal finance "
    "marketing sales engineering product management leadership hr operations backend frontend "
    "back-end front-end mobile platform netops secops data-eng dataeng";

// Programs, products and parts of a system: a capitalised one is not a person.
constexpr std::string_view system_words =
    "job jobs cron cronjob cache pipeline alert alerts alerting monitoring probe service services "
    "server servers cluster database db replica primary node nodes pod pods container queue "
    "worker workers scheduler autoscaler balancer lb cdn dns api proxy gateway firewall waf "
    "backup backups disk disks memory cpu network traffic latency storage replication failover "
    "canary runbook dashboard pager tool system process app application client browser "
    "kubernetes k8s postgres postgresql mysql redis kafka nginx haproxy envoy terraform ansible "
    "puppet chef jenkins github gitlab consul vault etcd zookeeper elasticsearch grafana "
    "prometheus datadog pagerduty opsgenie slack jira aws gcp azure s3 ec2 lambda cloudflare "
    "docker helm argo argocd spinnaker circleci sentry splunk bgp ssl tls certbot linux systemd "
    "cassandra mongodb mongo rabbitmq celery sidekiq airflow spark hadoop snowflake bigquery "
    "heroku okta stripe twilio zendesk loki tempo jaeger istio linkerd calico cilium ceph minio "
    "rds aurora dynamodb cloudwatch route53 iam everything nothing something it there this "
    "that traffic load requests retries script deploy migration config configuration rollout "
    "release flag health check checks endpoint index table tables query queries lock locks "
    "certificate cert key keys token tokens secret secrets log logs metrics graph graphs "
    "rotation schedule budget quota limit limits timeout timeouts retry version build builds "
    "test tests suite linter compiler parser regex rule rules";

constexpr std::string_view function_words =
    "after before during at on in by for from with without when while if because since as so but "
    "to rather "
    "and or then also this that these those it we they there here what why how who which whose "
    "nobody everyone everybody anyone anybody all most many several both one two three four "
    "five six seven eight nine ten first next last once about around between into onto over "
    "under until unless though although however meanwhile later today yesterday tomorrow "
    "tonight overall finally initially eventually luckily unfortunately fortunately apparently "
    "thanks please note update impact summary timeline detection resolution action actions "
    "follow-up followup lessons contributing root cause what's where when's yes no ok okay "
    "against across through via toward towards upon within per despite behind beyond along "
    "among amid throughout onto "
    "monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays "
    "thursdays fridays saturdays sundays january february march july "
    "september october november december utc gmt pst est cet am pm";

constexpr std::string_view auxiliaries =
    "did do does didn't don't doesn't didnt dont doesnt was were is are wasn't weren't isn't "
    "aren't wasnt werent isnt has have had hasn't haven't hadn't hasnt havent hadnt 've 'd can "
    "can't cant cannot will won't wont be been being am";

constexpr std::string_view negations =
    "not never didn't don't doesn't didnt dont doesnt wasn't weren't isn't aren't wasnt werent "
    "isnt hasn't haven't hadn't hasnt havent hadnt can't cant cannot won't wont shouldn't "
    "shouldnt couldn't couldnt wouldn't wouldnt mustn't n't";

constexpr std::string_view modals =
    "should could would must might ought should've could've would've must've might've shouldve "
    "couldve wouldve shouldn't couldn't wouldn't mustn't shouldnt couldnt wouldnt shouldn't've "
    "couldn't've wouldn't've shouldnt've couldnt've wouldnt've shouldntve couldntve wouldntve "
    "shoulda coulda woulda";

constexpr std::string_view adverbs =
    "just simply also then again accidentally mistakenly inadvertently unknowingly apparently "
    "actually basically somehow still already really completely totally even ever immediately "
    "quickly later finally first once clearly obviously probably likely allegedly literally "
    "only manually directly briefly personally unfortunately carelessly blindly sloppily "
    "recklessly lazily negligently stupidly irresponsibly thoughtlessly hastily rashly "
    "single-handedly singlehandedly promptly calmly quietly silently double always constantly "
    "repeatedly routinely usually often consistently regularly continually subsequently yet "
    "";

constexpr std::string_view judgements =
    "careless carelessly carelessness sloppy sloppily sloppiness reckless recklessly recklessness "
    "lazy lazily laziness negligent negligently negligence stupid stupidly stupidity "
    "irresponsible irresponsibly irresponsibility blindly thoughtless thoughtlessly dumb idiotic "
    "foolish foolishly boneheaded brainless clumsy clumsily inattentive half-assed rash rashly "
    "hasty hastily cavalier lax sloppiest laziest dumbest yolo'd yoloed cowboyed winged arrogance "
    "rubber-stamped rubberstamped rubber-stamp "
    "ignorance haphazard slapdash shoddy unprofessional unacceptable inexcusable panicked "
    "cursory unjustified unjustifiable "
    "winging yoloing cowboying";

constexpr std::string_view benign_words =
    "stale old unused obsolete temporary temp test duplicate extra orphaned expired leftover "
    "dead deprecated bad corrupt corrupted stuck hung failed failing zombie runaway rogue leaking "
    "long-running blocking";

constexpr std::string_view negative_qualifiers =
    "wrong bad broken buggy faulty incorrect unreviewed untested unapproved unvetted invalid "
    "malformed bogus half-finished risky dangerous unsafe mistaken erroneous bug bugs regression "
    "defect vulnerability";

constexpr std::string_view safeguards =
    "review reviews approval test tests testing dry canary backup backups rollback plan check "
    "checks checking telling asking warning notice sign-off signoff staging confirmation ticket "
    "announcement heads-up dry-run checklist permission step steps stage phase runbook "
    "procedure reviewer reviewers approver approvers eyes";

constexpr std::string_view positives =
    "quick quickly fast swift prompt fix fixed rollback help helped helping saved caught spotted "
    "noticed great good careful calm restored thorough clear work effort diligence fixing "
    "restoring helping response handling support update updates communication recovery "
    "mitigation resolved resolving";

constexpr std::string_view outcomes =
    "outage outages incident down downtime errors error failure failures broke broken crash "
    "crashed lost loss slowdown spike spiked degraded unavailable offline suffered fire impact "
    "affected 500s 502s 503s problem problems issue issues disruption disruptions degradation "
    "breach";

constexpr std::string_view derogatories =
    "idiot idiots moron morons slob clown clowns muppet cowboy cowboys numpty bozo imbecile "
    "dummy doofus amateur amateurs noob n00b";

constexpr std::string_view dramas =
    "disaster disasters disastrous disastrously catastrophe catastrophes catastrophic "
    "catastrophically fiasco fiascos nightmare nightmares nightmarish meltdown meltdowns chaos "
    "chaotic carnage apocalypse apocalyptic armageddon trainwreck shitshow horrible horribly "
    "terrible "
    "terribly awful embarrassing imploded exploded mess shambles spectacular spectacularly "
    "eternity dire debacle debacles worst";

constexpr std::string_view artifacts =
    "change changes deploy deployment push commit merge pr script migration config refactor "
    "patch typo mistake query command rollout release code branch decision work edit update "
    "upgrade rule terraform job import batch hotfix move call choice choices action actions "
    "approach handling inspection backfill cleanup reindex purge";

constexpr std::string_view advice_cues =
    "root root-cause root-causes root-caused of obviously naturally on in with looking clearly "
    "hindsight root-causing "
    "should obvious clear signs preventable avoidable could could've couldve saw seen after "
    "writing should've shouldve needless predictably unsurprisingly knowing plainly "
    "retrospectively twenty-twenty 20/20 evident plain apparent always";

// Adverbs that make an act a slip: "the operator erroneously terminated the primary".
constexpr std::string_view slip_adverbs =
    "accidentally mistakenly inadvertently erroneously wrongly incorrectly unintentionally "
    "unwittingly unknowingly";

// Nouns that tell a person's act as a fault: "an oversight by the on-call", "Kim's negligence".
constexpr std::string_view fault_nouns =
    "oversight oversights mistake mistakes error errors blunder blunders slip slips lapse lapses "
    "mis-click mis-clicks misclick misclicks "
    "negligence carelessness misstep missteps misjudgement misjudgment misjudgements typo typos "
    "goof screw-up screwup fuck-up fuckup inaction inattention sloppiness recklessness laziness "
    "incompetence ignorance failure failures fault unfamiliarity inexperience misunderstanding "
    "ineptitude breach violation disregard inability";

// What a person is judged to lack: "lacked the skills", "a lack of familiarity with".
constexpr std::string_view abilities =
    "skills skill knowledge experience expertise competence understanding familiarity know-how "
    "background judgement judgment clue maturity";

// Adjectives of being able, judged of a person when denied: "wasn't ready", "isn't qualified".
constexpr std::string_view capabilities =
    "ready qualified capable competent fit equipped suited skilled trustworthy";

// Adjectives that are a verdict on ability by themselves: "@kate is clueless".
constexpr std::string_view incapables =
    "incompetent clueless unqualified inexperienced useless hopeless unfit inept unprepared "
    "ill-prepared ill-equipped";

// Nouns that name a cause: "the real cause was Jordan", "the culprit: Mia's migration".
constexpr std::string_view cause_nouns =
    "cause causes culprit culprits reason trigger source origin root factor responsibility "
    "blame";

constexpr std::string_view praise_cues =
    "great nice good well thanks kudos bravo appreciate appreciated love awesome brilliant "
    "fantastic stellar amazing wonderful";

constexpr std::string_view self_words = "i i'm i've i'd i'll me myself";
constexpr std::string_view pronouns = "he she he's she's him you you're";
constexpr std::string_view indefinites = "someone somebody whoever";

// Verbs: "base" for a regular verb, "base/past/participle" for an irregular one (and for the
// regular ones that double their last consonant).
constexpr std::string_view harm_verbs =
    "break/broke/broken crash kill delete drop/dropped/dropped wipe corrupt destroy nuke trash "
    "hose tank brick wreck cause trigger botch overwrite/overwrote/overwritten truncate silence "
    "mute misconfigure mistype miskey misread/misread/misread fry fat-finger hammer overload leak "
    "expose starve misroute mislabel misname misapply misclassify misdirect misplace mistag "
    "flood overwhelm saturate exhaust revoke invalidate purge erase clobber trample ruin sabotage "
    "compromise poison pollute disrupt derail sever unplug disconnect downgrade mangle "
    "garble hardcode spam/spammed/spammed hide/hid/hidden mask ddos/ddosed/ddosed";
constexpr std::string_view omission_verbs =
    "forget/forgot/forgotten fail neglect miss overlook ignore skip/skipped/skipped bother "
    "disregard dismiss bypass circumvent subvert flout violate shortcut omit/omitted/omitted";
constexpr std::string_view action_verbs =
    // "wave brush shrug laugh": listed for their particles ("waved off", "shrugged off" dismiss;
    // "waved the change through" passes it on).
    "wave brush shrug/shrugged/shrugged laugh drain "
    "deploy push ship/shipped/shipped merge run/ran/run restart reboot change flip/flipped/flipped "
    "toggle disable rotate apply release start launch execute type enter edit modify update "
    "upgrade migrate commit/committed/committed copy paste approve target configure set/set/set "
    "scale move rename revert remove force-push copy-paste rush click send/sent/sent "
    "write/wrote/written add "
    "use promote resize patch install uninstall turn switch shut/shut/shut roll lock select "
    "give/gave/given introduce raise lower hold/held/held override/overrode/overridden open "
    "close touch route reroute leave/left/left "
    "take/took/taken bring/brought/brought knock mess screw blow/blew/blown kick pick "
    "choose/chose/chosen";
constexpr std::string_view diligence_verbs =
    "check test read/read/read look follow adhere comply obey ask tell/told/told wait review "
    "verify validate monitor honour honor "
    "escalate page renew double-check confirm warn communicate document inform "
    "catch/caught/caught spot/spotted/spotted respond answer reply investigate measure "
    "plan/planned/planned "
    "coordinate announce call pay/paid/paid prevent avoid acknowledge ack watch notify mention "
    "flag report share clean restore fix investigate drain consult heed exercise ensure notice "
    "double-check assess evaluate maintain enforce";
// Common verbs of no class: they only tell that a subject acts ("Hugo made a mistake").
constexpr std::string_view other_verbs =
    "make/made/made do/did/done go/went/gone get/got/got give/gave/given say/said/said "
    "come/came/come find/found/found keep/kept/kept let/let/let put/put/put "
    "seem try open close decide assume believe want need work handle join debug confuse care "
    "speak/spoke/spoken act point opt cut/cut/cut "
    "lack own manage proceed delay stall prolong postpone allow permit happen continue "
    "strike/struck/struck";
constexpr std::string_view cognition_verbs =
    "know/knew/known see/saw/seen realise realize understand/understood/understood "
    "anticipate predict foresee/foresaw/foreseen expect recognise recognize think/thought/thought "
    "consider grasp comprehend";

// Phrasal verbs that harm: "take down", "mess up".
struct phrasal {
  std::string_view base;
  std::string_view particle;
  verb_class kind;
};
// ("let down": people let down, as "failed the team" tells: "has let this company down".)
constexpr phrasal phrasal_verbs[] = {
    {"take", "down", verb_class::harm},     {"bring", "down", verb_class::harm},
    {"knock", "over", verb_class::harm},    {"knock", "out", verb_class::harm},
    {"mess", "up", verb_class::harm},       {"screw", "up", verb_class::harm},
    {"blow", "up", verb_class::harm},       {"take", "out", verb_class::harm},
    {"take", "offline", verb_class::harm},  {"knock", "offline", verb_class::harm},
    {"hold", "up", verb_class::harm},       {"wipe", "out", verb_class::harm},
    {"turn", "off", verb_class::action},    {"switch", "off", verb_class::action},
    {"shut", "down", verb_class::action},   {"roll", "out", verb_class::action},
    {"set", "up", verb_class::diligence},   {"back", "up", verb_class::diligence},
    {"kick", "off", verb_class::action},    {"roll", "back", verb_class::action},
    {"rush", "out", verb_class::action},    {"blow", "away", verb_class::harm},
    {"fail", "over", verb_class::action},   {"lock", "out", verb_class::harm},
    {"make", "worse", verb_class::harm},    {"speak", "up", verb_class::diligence},
    {"lock", "down", verb_class::action},   {"blow", "off", verb_class::omission},
    {"brush", "off", verb_class::omission}, {"shrug", "off", verb_class::omission},
    {"screw", "over", verb_class::harm},    {"wave", "off", verb_class::omission},
    {"wave", "away", verb_class::omission}, {"brush", "aside", verb_class::omission},
    {"laugh", "off", verb_class::omission}, {"let", "down", verb_class::harm},
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

std::string regular_past(std::string_view base) {
  if (ends_with(base, "e")) return std::string(base) + "d";
  if (base.size() > 1 && base.back() == 'y' && !is_vowel(base[base.size() - 2])) {
    return std::string(base.substr(0, base.size() - 1)) + "ied";
  }
  return std::string(base) + "ed";
}

std::string third_person(std::string_view base) {
  if (ends_with(base, "s") || ends_with(base, "x") || ends_with(base, "z") ||
      ends_with(base, "ch") || ends_with(base, "sh")) {
    return std::string(base) + "es";
  }
  if (base.size() > 1 && base.back() == 'y' && !is_vowel(base[base.size() - 2])) {
    return std::string(base.substr(0, base.size() - 1)) + "ies";
  }
  return std::string(base) + "s";
}

std::string gerund(std::string_view base, std::string_view past) {
  // "dropped" doubles the consonant: "dropping".
  if (past.size() == base.size() + 3 && past[base.size()] == base.back()) {
    return std::string(base) + base.back() + "ing";
  }
  if (ends_with(base, "e") && !ends_with(base, "ee")) {
    return std::string(base.substr(0, base.size() - 1)) + "ing";
  }
  return std::string(base) + "ing";
}

template <class Fn>
void for_each_word(std::string_view list, Fn fn) {
  while (!list.empty()) {
    const auto space = list.find(' ');
    const auto word = list.substr(0, space);
    if (!word.empty()) fn(word);
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
}

struct tables {
  std::unordered_map<std::string_view, std::uint32_t> flags;
  std::deque<std::string> storage_;  // owns the participles `participles` points into (a deque
                                     // never moves its elements)
  // Transparent, so that a lookup by string_view allocates nothing.
  struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, verb_info, text_hash, std::equal_to<>> verbs;
  std::unordered_map<std::string_view, std::string_view> participles;

  tables() {
    const auto add = [this](std::string_view list, std::uint32_t flag) {
      for_each_word(list, [&](std::string_view w) { flags[w] |= flag; });
    };
    add(first_names, first_name);
    add(ambiguous_names, ambiguous_name);
    add(determiners, determiner);
    add(roles, role);
    add(teams, team);
    add(team_modifiers, team_modifier);
    add(system_words, system_word);
    add(function_words, function_word);
    add(auxiliaries, auxiliary);
    add(negations, negation);
    add(modals, modal);
    add(adverbs, adverb);
    add(judgements, judgement);
    add(benign_words, benign);
    add(negative_qualifiers, negative_qualifier);
    add(safeguards, safeguard);
    add(positives, positive);
    add(outcomes, outcome);
    add(derogatories, derogatory);
    add(dramas, drama);
    add(artifacts, artifact);
    add(dramas, advice_cue);
    add(advice_cues, advice_cue);
    add(praise_cues, praise_cue);
    add(self_words, self_word);
    add(pronouns, pronoun);
    add(indefinites, indefinite);
    add(slip_adverbs, slip_adverb);
    add(slip_adverbs, adverb);
    add(fault_nouns, fault_noun);
    add(fault_nouns, artifact);
    add(abilities, ability);
    add(capabilities, capability);
    add(cause_nouns, cause_noun);
    add(incapables, incapable);
    add_verbs(harm_verbs, verb_class::harm);
    add_verbs(omission_verbs, verb_class::omission);
    add_verbs(action_verbs, verb_class::action);
    add_verbs(diligence_verbs, verb_class::diligence);
    add_verbs(cognition_verbs, verb_class::cognition);
    add_verbs(other_verbs, verb_class::none);
  }

  void add_verbs(std::string_view list, verb_class kind) {
    for_each_word(list, [&](std::string_view entry) {
      std::string_view base = entry;
      std::string past;
      std::string participle;
      if (const auto slash = entry.find('/'); slash != std::string_view::npos) {
        base = entry.substr(0, slash);
        const auto rest = entry.substr(slash + 1);
        const auto second = rest.find('/');
        past = std::string(rest.substr(0, second));
        participle = std::string(rest.substr(second + 1));
      } else {
        past = regular_past(entry);
        participle = past;
      }
      storage_.push_back(participle);
      const std::string_view stable_participle = storage_.back();
      participles[base] = stable_participle;
      const auto put = [&](std::string form, verb_form f) {
        auto [it, inserted] = verbs.try_emplace(std::move(form), verb_info{});
        if (!inserted && it->second.kind != verb_class::none) return;  // the first class wins
        it->second = verb_info{base, "", kind, f, stable_participle};
      };
      put(std::string(base), verb_form::base);
      put(third_person(base), verb_form::third_person);
      if (past == participle) {
        put(past, verb_form::past_or_participle);
      } else {
        put(past, verb_form::past);
        put(participle, verb_form::participle);
      }
      put(gerund(base, past), verb_form::gerund);
    });
  }
};

const tables& lexicon() {
  static const tables t;
  return t;
}

}  // namespace

std::uint32_t flags_of(std::string_view lower_word) {
  const auto& t = lexicon();
  const auto found = t.flags.find(lower_word);
  return found == t.flags.end() ? 0 : found->second;
}

const verb_info* verb_of(std::string_view lower_word) {
  const auto& t = lexicon();
  const auto found = t.verbs.find(lower_word);
  return found == t.verbs.end() ? nullptr : &found->second;
}

verb_class phrasal_class(std::string_view base, std::string_view particle) {
  for (const auto& p : phrasal_verbs) {
    if (p.base == base && p.particle == particle) return p.kind;
  }
  return verb_class::none;
}

std::string participle_of(std::string_view base) {
  const auto& t = lexicon();
  if (const auto found = t.participles.find(base); found != t.participles.end()) {
    return std::string(found->second);
  }
  return regular_past(base);
}

}  // namespace scribe::bot::wording
