#include "bot/postmortem.hpp"

#include <charconv>

namespace scribe::bot {
namespace {

constexpr std::string_view step_names[] = {"ask", "remind", "draft"};

}  // namespace

std::string_view to_string(answer_source source) {
  return source == answer_source::form ? "form" : "thread";
}

std::optional<answer_source> parse_answer_source(std::string_view text) {
  if (text == "thread") return answer_source::thread;
  if (text == "form") return answer_source::form;
  return std::nullopt;
}

bool postmortem_job::automatic() const {
  return step == postmortem_step::draft && !reason.starts_with("command:");
}

std::string postmortem_queue(std::string_view platform) {
  return std::string(platform) + ".postmortem";
}

std::string encode(const postmortem_job& job) {
  std::string out(step_names[static_cast<int>(job.step)]);
  out += ' ';
  out += std::to_string(job.incident_id);
  if (!job.reason.empty()) {
    out += ' ';
    out += job.reason;
  }
  return out;
}

std::optional<postmortem_job> decode_postmortem_job(std::string_view payload) {
  const auto space = payload.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  postmortem_job job;
  const auto name = payload.substr(0, space);
  bool known = false;
  for (std::size_t i = 0; i < std::size(step_names); ++i) {
    if (name == step_names[i]) {
      job.step = static_cast<postmortem_step>(i);
      known = true;
    }
  }
  if (!known) return std::nullopt;
  auto rest = payload.substr(space + 1);
  const auto end = rest.find(' ');
  const auto number = rest.substr(0, end);
  const auto [ptr, ec] =
      std::from_chars(number.data(), number.data() + number.size(), job.incident_id);
  if (ec != std::errc{} || ptr != number.data() + number.size() || job.incident_id <= 0) {
    return std::nullopt;
  }
  if (end != std::string_view::npos) job.reason = std::string(rest.substr(end + 1));
  return job;
}

follow_up schedule(const incident& inc, const postmortem_job& job, timestamp run_after) {
  std::string payload = encode(job);
  return {postmortem_queue(inc.channel.platform), payload, payload, run_after};
}

std::vector<std::string> question_messages(const incident& inc,
                                           const std::vector<asked_question>& questions,
                                           std::string_view other_ways,
                                           std::string_view invoked_as) {
  const std::string count = std::to_string(questions.size());
  std::vector<std::string> messages{
      "Postmortem of " + incident_label(inc) + " · " + inc.title + "\n" + count +
      " questions follow, one message each. Answer in each question's thread; several answers "
      "are welcome. " +
      (other_ways.empty() ? "" : std::string(other_ways) + " ") +
      "The draft follows when every question has an answer, or now with `" +
      std::string(invoked_as) +
      " draft`. This review is blameless: it is about systems and circumstances, not people."};
  for (std::size_t i = 0; i < questions.size(); ++i) {
    messages.push_back("Question " + std::to_string(i + 1) + " of " + count + " · " +
                       questions[i].id + "\n" + questions[i].text);
  }
  return messages;
}

}  // namespace scribe::bot
