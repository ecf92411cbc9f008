#include "bot/postmortem_desk.hpp"

#include "bot/incident_records.hpp"
#include "bot/wording_review.hpp"
#include "text/text.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace scribe::bot {
namespace {

follow_up draft_when_complete(const incident& inc, timestamp now) {
  return schedule(inc, {postmortem_step::draft, inc.id, "complete"}, now);
}

bool is_blank(std::string_view text) {
  return text::trim(text).empty();
}

// A reply about wording is read by someone who has just spent time answering: it stays short,
// names the sentence rather than the person, and leaves the decision to them.
constexpr std::size_t review_reply_sentences = 3;

}  // namespace

postmortem_desk::postmortem_desk(incident_store& incidents, postmortem_store& postmortems,
                                 const clock& clock, const config::postmortem_options& options)
    : incidents_(incidents), postmortems_(postmortems), clock_(clock), options_(options) {}

std::optional<incident> postmortem_desk::find_incident(std::int64_t id) {
  return incidents_.find_incident(id);
}

std::vector<incident> postmortem_desk::find_by_label(std::string_view label,
                                                     std::string_view workspace) {
  return find_incidents_by_label(incidents_, label, workspace);
}

std::vector<asked_question> postmortem_desk::questions(std::int64_t incident_id) {
  return postmortems_.questions(incident_id);
}

result<void> postmortem_desk::question_posted(std::int64_t incident_id,
                                              const std::string& question_id,
                                              const std::string& message_ref) {
  return postmortems_.set_question_message(incident_id, question_id, message_ref);
}

result<recorded_answer> postmortem_desk::answer_in_thread(const thread_reply& reply) {
  const auto question = postmortems_.find_question_by_message(reply.channel, reply.thread_ref);
  if (!question) {
    // A reply that arrives while the questions are still being posted may be to one whose
    // message is not recorded yet: it is worth another look in a moment.
    const auto latest = incidents_.find_latest_incident(reply.channel);
    if (latest && latest->status == incident_status::closed) {
      const auto asked = postmortems_.questions(latest->id);
      const bool posting = std::any_of(asked.begin(), asked.end(),
                                       [](const asked_question& q) { return !q.message_ref; });
      if (posting) return errc::not_ready_yet;
    }
    return errc::not_a_question;
  }
  const auto inc = incidents_.find_incident(question->incident_id);
  if (!inc) return errc::incident_not_found;
  answer_draft answer{question->question_id, reply.author,   reply.written_at, reply.text,
                      answer_source::thread, reply.reply_ref};
  return postmortems_.add_answer(inc->id, answer, draft_when_complete(*inc, clock_.now()));
}

result<std::vector<recorded_answer>> postmortem_desk::answer_in_form(
    std::int64_t incident_id, const std::string& platform, const std::string& workspace,
    const person& author, const std::string& form_ref,
    const std::map<std::string, std::string>& texts) {
  const auto inc = incidents_.find_incident(incident_id);
  // A form names its incident itself; one workspace's form never reaches another's incident.
  if (!inc || inc->channel.platform != platform || inc->channel.workspace != workspace ||
      inc->status != incident_status::closed) {
    return errc::incident_not_found;
  }
  std::set<std::string> asked;
  for (const auto& q : postmortems_.questions(incident_id)) asked.insert(q.id);
  std::vector<std::pair<std::string, std::string>> filled;
  for (const auto& [question_id, text] : texts) {
    if (is_blank(text)) continue;
    if (!asked.contains(question_id)) return errc::invalid_argument;
    filled.emplace_back(question_id, text);
  }
  if (filled.empty()) return errc::invalid_argument;
  const timestamp now = clock_.now();
  std::vector<recorded_answer> out;
  // Asked order, so that answers read in the order of the form.
  for (const auto& q : postmortems_.questions(incident_id)) {
    const auto it =
        std::find_if(filled.begin(), filled.end(), [&](const auto& f) { return f.first == q.id; });
    if (it == filled.end()) continue;
    answer_draft answer{
        q.id, author, now, it->second, answer_source::form, "form:" + form_ref + ":" + q.id};
    auto recorded = postmortems_.add_answer(incident_id, answer, draft_when_complete(*inc, now));
    if (!recorded) return recorded.error();
    out.push_back(std::move(*recorded));
  }
  return out;
}

std::int64_t postmortem_desk::edit_answer(const channel_ref& channel, const std::string& reply_ref,
                                          const std::string& text) {
  return postmortems_.update_answer_text(channel, reply_ref, text);
}

std::int64_t postmortem_desk::delete_answer(const channel_ref& channel,
                                            const std::string& reply_ref) {
  return postmortems_.remove_answers(channel, reply_ref);
}

std::optional<std::string> postmortem_desk::review_reply(const postmortem_answer& answer) const {
  if (!options_.review_replies) return std::nullopt;
  const std::string people[] = {answer.author.name};
  const auto review = review_answer(answer.text, people);
  if (!review.has_blame) return std::nullopt;
  std::string text =
      "Thank you for answering. A thought on the wording, since the postmortem is about systems "
      "and circumstances, not about who did what:";
  std::set<std::size_t> said;  // sentence offsets: one line per sentence, however many findings
  std::size_t more = 0;
  for (const auto& finding : review.findings) {
    if (finding.kind != finding_kind::blame || said.contains(finding.sentence_offset)) continue;
    said.insert(finding.sentence_offset);
    if (said.size() > review_reply_sentences) {
      ++more;
      continue;
    }
    text += "\n• “" + std::string(text::trim(finding.sentence)) + "” " + finding.suggestion;
    if (finding.rewrite) text += " Perhaps: “" + *finding.rewrite + "”";
  }
  if (more > 0) {
    text += "\n… and " + std::to_string(more) +
            (more == 1 ? " more sentence" : " more sentences") + " the draft's review points out.";
  }
  text += "\nIf you agree, edit your answer: the draft takes its latest words.";
  return text;
}

std::optional<std::string> postmortem_desk::reminder(std::int64_t incident_id,
                                                     std::string_view invoked_as,
                                                     std::string_view other_ways) {
  const auto inc = incidents_.find_incident(incident_id);
  if (!inc || inc->status != incident_status::closed) return std::nullopt;
  if (postmortems_.latest_draft(incident_id)) return std::nullopt;
  const auto asked = postmortems_.questions(incident_id);
  const auto answers = postmortems_.answers(incident_id);
  std::vector<const asked_question*> open;
  for (const auto& q : asked) {
    const bool answered =
        std::any_of(answers.begin(), answers.end(),
                    [&](const postmortem_answer& a) { return a.question_id == q.id; });
    if (!answered) open.push_back(&q);
  }
  if (open.empty()) return std::nullopt;
  std::string text = "Reminder: the postmortem of " + incident_label(*inc) + " (" + inc->title +
                     ") has " + std::to_string(open.size()) + " of " +
                     std::to_string(asked.size()) + " questions without an answer:";
  for (const auto* q : open) text += "\n• " + q->text;
  const auto draft_at =
      *inc->closed_at + std::chrono::duration_cast<std::chrono::microseconds>(options_.draft_after);
  text += "\nAnswer in the questions' threads above." +
          (other_ways.empty() ? std::string() : " " + std::string(other_ways)) +
          " The draft follows in " + format_duration(draft_at - clock_.now()) +
          " with what is there, or now with `" + std::string(invoked_as) + " draft`.";
  return text;
}

draft_input read_draft_input(incident_store& incidents, postmortem_store& postmortems,
                             const incident& inc, int version, timestamp now,
                             const config::postmortem_options& options) {
  draft_input input;
  input.inc = inc;
  constexpr std::size_t half = draft_timeline_entries / 2;
  input.timeline = read_excerpt(incidents, inc.id, std::nullopt, half, half);
  if (input.timeline.gap_after) input.timeline_authors = incidents.timeline_authors(inc.id);
  input.questions = postmortems.questions(inc.id);
  input.answers = postmortems.answers(inc.id);
  input.version = version;
  input.drafted_at = now;
  input.timezone = options.timezone;
  input.gap_marker = std::chrono::duration_cast<std::chrono::microseconds>(options.gap_marker);
  return input;
}

std::optional<drafted> postmortem_desk::draft(const postmortem_job& job) {
  const auto inc = incidents_.find_incident(job.incident_id);
  if (!inc) return std::nullopt;
  const std::string request_key = encode(job);
  // Another replica may store a version between our read and our write; then compose again.
  for (int attempt = 0;; ++attempt) {
    if (auto stored = postmortems_.find_draft(inc->id, request_key)) return drafted{*inc, *stored};
    const auto latest = postmortems_.latest_draft(inc->id);
    const draft_input input = read_draft_input(
        incidents_, postmortems_, *inc, latest ? latest->version + 1 : 1, clock_.now(), options_);
    const postmortem_draft composed = compose_postmortem(input);
    std::string digest =
        content_digest(std::string_view(composed.markdown).substr(composed.content_offset));
    if (job.automatic() && latest && latest->content_digest == digest) return std::nullopt;
    auto saved = postmortems_.save_draft(
        {inc->id, input.version, input.drafted_at, request_key, composed.markdown, digest});
    if (saved) return drafted{*inc, std::move(*saved)};
    if (attempt == 2) throw std::runtime_error("drafts kept racing for the next version");
  }
}

std::optional<drafted> postmortem_desk::latest_or_preview(std::int64_t incident_id) {
  const auto inc = incidents_.find_incident(incident_id);
  if (!inc) return std::nullopt;
  if (auto latest = postmortems_.latest_draft(incident_id)) return drafted{*inc, *latest};
  const postmortem_draft composed = compose_postmortem(
      read_draft_input(incidents_, postmortems_, *inc, 0, clock_.now(), options_));
  return drafted{
      *inc,
      {inc->id,
       0,
       clock_.now(),
       {},
       composed.markdown,
       content_digest(std::string_view(composed.markdown).substr(composed.content_offset))}};
}

}  // namespace scribe::bot
