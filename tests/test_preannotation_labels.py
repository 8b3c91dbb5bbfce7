"""Labelling rules (attribution, opinion, checkable claims) on small invented texts."""

# Typographic quotes are part of the inputs under test.
# ruff: noqa: RUF001

from annotations.preannotation import Label, analyse
from annotations.preannotation.attribution import clean_source, find_attribution
from annotations.preannotation.claims import claim_cues
from annotations.preannotation.opinion import opinion_cues


def _labels(text: str) -> list[tuple[str, Label, str | None]]:
    return [(text[s.start : s.end], s.label, s.source) for s in analyse(text).suggestions]


def test_reported_speech_names_the_speaker_as_source() -> None:
    found = find_attribution("Mayor Lena Ortiz said the bridge would reopen in May.")
    assert found is not None
    assert found.source == "Mayor Lena Ortiz"
    assert found.cue == "said"


def test_inverted_speech_after_a_quote_names_the_speaker() -> None:
    found = find_attribution("“We will rebuild,” said Tom Avery, the harbour chief.")
    assert found is not None
    assert found.source == "Tom Avery"
    assert found.kind == "direct quotation"


def test_according_to_a_report_gives_the_outlet() -> None:
    found = find_attribution("According to a new Reuters report, prices rose.")
    assert found is not None
    assert found.source == "Reuters"


def test_organisation_with_article_keeps_the_article() -> None:
    found = find_attribution("The WHO noted in a statement that cases fell.")
    assert found is not None
    assert found.source == "the WHO"


def test_document_noun_is_reduced_to_its_owner() -> None:
    assert clean_source("the latest Oxfam report") == "Oxfam"
    assert clean_source("UNICEF’s report") == "UNICEF"


def test_vague_collective_is_not_a_source() -> None:
    found = find_attribution("Many observers claim the plan is illegal.")
    assert found is not None
    assert found.kind == "vague attribution"
    assert _labels("A Title\n\nMany observers claim the plan is illegal.")[-1][1:] == (
        Label.UNSOURCED,
        None,
    )


def test_anonymous_source_counts_only_with_the_outlet_named() -> None:
    found = find_attribution("A senior source told Al Jazeera that talks had failed.")
    assert found is not None
    assert found.source == "Al Jazeera"


def test_first_person_reporting_is_not_a_source() -> None:
    assert find_attribution("We reported last year that the mine had closed.") is None


def test_credit_line_after_a_block_quote_sources_the_paragraph() -> None:
    text = "Title Here\n\nThe army took the town. Two soldiers died. - NewsWire\n"
    labels = _labels(text)
    assert ("The army took the town.", Label.SOURCED, "NewsWire") in labels


def test_sentence_continuing_a_quote_keeps_the_speaker() -> None:
    text = 'Title Here\n\nThe minister said, "The dam is safe. It was checked in May."\n'
    labels = _labels(text)
    assert ('It was checked in May."', Label.SOURCED, "minister") in labels


def test_paragraph_introduced_by_speaker_and_colon_is_sourced() -> None:
    text = "Title Here\n\nThe council said:\n\nRoads will close on Friday for 3 days.\n"
    labels = _labels(text)
    assert ("Roads will close on Friday for 3 days.", Label.SOURCED, "council") in labels
    # The introducing line itself carries no claim.
    assert all(sentence != "The council said:" for sentence, _, _ in labels)


def test_pronoun_speaker_resolves_to_the_last_named_speaker() -> None:
    text = "Title Here\n\nAnna Berg said the port is shut. She added that 40 ships wait outside.\n"
    sources = [source for _, label, source in _labels(text) if label == Label.SOURCED]
    assert sources == ["Anna Berg", "Anna Berg"]


def test_first_person_stance_is_opinion() -> None:
    assert opinion_cues("I think the decision was wrong.").score >= 1.0


def test_loaded_wording_is_opinion() -> None:
    cues = opinion_cues("This nefarious scheme is pure propaganda.")
    assert cues.score >= 1.0
    assert any("nefarious" in cue for cue in cues.cues)


def test_rhetorical_question_is_opinion() -> None:
    assert opinion_cues("Who really gains from this war?").score >= 1.0


def test_quoted_loaded_words_are_not_the_authors_opinion() -> None:
    assert opinion_cues('He called it "a horrific act".').score < 1.0


def test_quoted_opinion_with_a_named_speaker_is_sourced_not_opinion() -> None:
    text = 'Title Here\n\n"This is a horrific crime," said Ana Ruiz.\n'
    assert _labels(text)[-1][1] == Label.SOURCED


def test_plain_fact_with_number_and_date_is_unsourced() -> None:
    text = "Title Here\n\nThe plant employed 1,200 workers in March 2019.\n"
    assert _labels(text)[-1] == (
        "The plant employed 1,200 workers in March 2019.",
        Label.UNSOURCED,
        None,
    )


def test_claim_cues_list_their_anchors() -> None:
    cues = claim_cues("Rebels seized Kidal on Monday with 300 fighters.")
    assert cues is not None
    assert "number" in cues.anchors
    assert any(anchor.startswith("date") for anchor in cues.anchors)


def test_short_fragment_has_no_claim() -> None:
    assert claim_cues("Read more") is None


def test_headline_with_speech_verb_is_sourced() -> None:
    text = "Mayor Warns Of Flooding Next Week\n\nBody text here.\n"
    first = analyse(text).suggestions[0]
    assert first.label == Label.SOURCED
    assert first.source == "Mayor"


def test_boilerplate_gets_no_suggestions() -> None:
    # Chrome written as full sentences: only its zone keeps it from being labelled.
    chrome = "We use cookies to improve the site. Sign up for our newsletter today."
    text = f"Menu Close\n\nA Title Here\n\nThe body has 3 facts.\n\n{chrome}\n"
    analysis = analyse(text)
    boilerplate = [z for z in analysis.zones if z.kind == "boilerplate"]
    assert any(text[z.start : z.end] == chrome for z in boilerplate)
    assert all(s.end <= text.index(chrome) for s in analysis.suggestions)


def test_suggestions_carry_reason_and_confidence_in_range() -> None:
    text = "Title Here\n\nGen. Ruiz said 30 troops left. Clearly this is a disgrace.\n"
    for suggestion in analyse(text).suggestions:
        assert suggestion.reason
        assert 0.0 <= suggestion.confidence <= 1.0
        assert (suggestion.source is not None) == (suggestion.label == Label.SOURCED)


def test_quotation_opened_before_the_attribution_is_the_speakers() -> None:
    text = "“The pier is safe. We checked every bolt,” harbour master Ivo Kral said."
    labels = _labels(text)
    assert [label for _, label, _ in labels] == [Label.SOURCED, Label.SOURCED]
    assert labels[0][2] is not None
    assert "Ivo Kral" in labels[0][2]


def test_new_quotation_after_a_quoted_speaker_in_the_paragraph_continues_it() -> None:
    text = "“We lost power,” Rosa Mendes said. “It came back at noon.”"
    assert _labels(text)[-1] == ("“It came back at noon.”", Label.SOURCED, "Rosa Mendes")


def test_timestamps_and_photo_credits_get_no_suggestion() -> None:
    text = (
        "Ferry Times Change\n\nThe ferry left at 9 on Monday, March 4.\n\n"
        "A crew loads the ferry at dawn. (Photo: Jo Vance/The Star)\n\n"
        "Body again with 12 cars on board.\n\n4 Comments\n\nkayak_fan\n"
        "March 5, 2024 at 10:15 am\nGreat to see this.\n"
    )
    labelled = {sentence for sentence, _, _ in _labels(text)}
    assert "March 5, 2024 at 10:15 am" not in labelled
    assert "(Photo: Jo Vance/The Star)" not in labelled
    assert "A crew loads the ferry at dawn." in labelled


def test_inverted_speech_with_role_words_or_a_bare_comma_names_the_speaker() -> None:
    found = find_attribution("“We are ready,” said fire chief Olga Brandt.")
    assert found is not None
    assert "Olga Brandt" in found.source
    found = find_attribution("The dam is sound, said Dr. Kofi Mensah, an engineer.")
    assert found is not None
    assert found.source == "Dr. Kofi Mensah"


def test_the_company_or_agency_said_is_a_source() -> None:
    found = find_attribution("The ferry line will stop in June, the company said on Friday.")
    assert found is not None
    assert found.source == "the company"


def test_passive_reported_by_is_no_speech_unless_an_agent_is_named() -> None:
    assert find_attribution("Fever was the most common, reported by 3 percent of users.") is None
    found = find_attribution("The merger was first reported by Bloomberg on Monday.")
    assert found is not None
    assert found.source == "Bloomberg"


def test_documents_and_data_that_show_or_find_are_sources() -> None:
    found = find_attribution("Harbour counts show 300 boats a day in July.")
    assert found is not None
    assert found.kind == "document"
    found = find_attribution("Two board members own shares, state filing records show.")
    assert found is not None
    found = find_attribution("A 2021 audit by the Water Board found 40 leaks.")
    assert found is not None
    assert found.source == "Water Board"


def test_vague_collectives_are_unsourced_not_sourced() -> None:
    text = (
        "A Title\n\nCritics say the tunnel will cost more than planned. "
        "Some commuters worry that fares will rise. Not every engineer agrees. "
        "Shop owners say trade has fallen by 20 percent."
    )
    labels = [row for row in _labels(text) if row[0] != "A Title"]
    assert [label for _, label, _ in labels] == [Label.UNSOURCED] * 4
    assert all(source is None for _, _, source in labels)


def test_vague_attribution_yields_to_a_quotation_introduced_by_a_named_outlet() -> None:
    text = "A Title\n\nA port source told Harbour Radio:\n\n“The cranes are down,” the source said."
    assert _labels(text)[-1][1] == Label.SOURCED


def test_headline_finding_credit_and_says_goodbye() -> None:
    text = "Night buses cut crime, study finds\n\nBody text."
    assert _labels(text)[0][1:] == (Label.SOURCED, "study")
    text = "Old Pier Says Goodbye As 2,000 Fans Gather\n\nBody text."
    assert _labels(text)[0][1] == Label.UNSOURCED


def test_commands_to_the_reader_are_opinion() -> None:
    for sentence in ("Bring a neighbour.", "Tell that to the bus drivers.", "Show up at noon."):
        assert opinion_cues(sentence).score >= 1.0, sentence


def test_candour_markers_hedges_and_evaluative_words_are_opinion() -> None:
    for sentence in (
        "Frankly, the new timetable is a mess for night workers.",
        "She is probably right.",
        "The first results are encouraging.",
        "The harbour deserves better.",
        "It looked like the ferry would arrive on time.",
        "I’d ask the board to wait a year.",
    ):
        assert opinion_cues(sentence).score >= 1.0, sentence


def test_capitalised_may_is_a_month_not_a_prediction() -> None:
    assert opinion_cues("Tolls will rise on May 3.").score < 1.0


def test_dotted_acronyms_and_past_decade_are_claim_anchors() -> None:
    cues = claim_cues("Steel imports into the U.S. have grown over the past decade.")
    assert cues is not None
    assert any(anchor.startswith("named") for anchor in cues.anchors)
    assert any(anchor.startswith("date") for anchor in cues.anchors)


def _label_of(text: str, sentence: str) -> Label | None:
    for span, label, _ in _labels(text):
        if span == sentence:
            return label
    return None


def test_plain_event_without_anchor_is_unsourced_and_characterising_is_opinion() -> None:
    text = (
        "Pool Closes\n\nThe pool on the hill shut for repairs.\n\n"
        "The lifeguard did not return. The gate has since been locked. Lockers are not "
        "provided. That is the real shame. This is a sad end for the pool."
    )
    assert _label_of(text, "The lifeguard did not return.") == Label.UNSOURCED
    assert _label_of(text, "The gate has since been locked.") == Label.UNSOURCED
    assert _label_of(text, "Lockers are not provided.") == Label.UNSOURCED
    assert _label_of(text, "That is the real shame.") == Label.OPINION
    assert _label_of(text, "This is a sad end for the pool.") == Label.OPINION


def test_short_closed_aside_is_opinion_but_a_name_is_not() -> None:
    text = "Pool Closes\n\nThe pool shut on Monday. Not again. Jo K.\n"
    assert _label_of(text, "Not again.") == Label.OPINION
    assert _label_of(text, "Jo K.") is None


def test_explainer_signpost_gets_no_label() -> None:
    text = "Pool Closes\n\nHere are the details. The pool shut on Monday after a leak.\n"
    assert _label_of(text, "Here are the details.") is None


def test_caption_description_is_a_claim_but_a_credit_is_not() -> None:
    text = (
        "Pool Closes\n\nThe pool shut on Monday.\n\n"
        "[Image: A diver stands on the empty board above the drained pool.]\n"
        "Photograph: Ana Pol/Coast Agency\n\nThe council met on Tuesday.\n"
    )
    labelled = {span: label for span, label, _ in _labels(text)}
    assert "Photograph: Ana Pol/Coast Agency" not in labelled
    image = "[Image: A diver stands on the empty board above the drained pool.]"
    assert labelled[image] == Label.UNSOURCED


def test_british_single_quotes_carry_the_speaker_across_sentences() -> None:
    text = (
        "Pool Closes\n\n‘We did our best,’ said Mara Wells, the manager. ‘The roof is "
        "failing. It leaks every winter.’\n"
    )
    labels = _labels(text)
    assert [label for _, label, _ in labels] == [Label.SOURCED] * 3
    assert labels[-1][2] == "Mara Wells"


def test_role_in_a_named_body_and_an_office_are_speakers() -> None:
    found = find_attribution(
        "The pool is closed, a spokeswoman for the city parks department said."
    )
    assert found is not None
    assert found.source == "a spokeswoman for the city parks department"
    office = find_attribution("The mayor’s office said the repairs would start in May.")
    assert office is not None
    assert "office" in office.source


def test_pointed_to_is_speech_and_document_verbs_cover_recommendations() -> None:
    assert find_attribution("She pointed to the broken pumps as the cause.") is not None
    found = find_attribution("The audit recommends a new roof before the winter.")
    assert found is not None
    assert found.kind == "document"


def test_pronoun_after_a_cited_document_keeps_the_document_as_source() -> None:
    text = (
        "Pool Closes\n\nThe survey identifies two leaks. It also names the contractor at fault.\n"
    )
    labels = _labels(text)
    assert labels[-1][1] == Label.SOURCED
    assert labels[-1][2] == labels[-2][2]


def test_kicker_in_a_title_block_gets_no_label() -> None:
    text = "OPINION\nThe pool deserved better than this\nBy Ida Moe\n\nThe pool shut in May.\n"
    labelled = {span for span, _, _ in _labels(text)}
    assert "OPINION" not in labelled
    assert "The pool deserved better than this" in labelled
    # The kicker is not a sentence at all, so nothing can ever label it.
    sentences = [text[s.start : s.end] for s in analyse(text).sentences]
    assert "OPINION" not in sentences


def test_short_question_alone_on_its_line_is_a_subhead() -> None:
    text = (
        "Pool Closes\n\nThe pool shut on Monday.\n\nWhen does it reopen?\n\n"
        "The pool reopens in May. Why wait so long? The repairs took a month.\n"
    )
    labelled = {span: label for span, label, _ in _labels(text)}
    assert "When does it reopen?" not in labelled
    rhetoric = "Pool Closes\n\nThe pool shut.\n\nIs this really the best we can do?\n\nIt is not.\n"
    assert _labels(rhetoric)[1][1] == Label.OPINION
    assert labelled["Why wait so long?"] == Label.OPINION


def test_command_over_the_readers_things_is_opinion() -> None:
    assert opinion_cues("Change your password on all 3 accounts.").score >= 1.0
    assert opinion_cues("Thank your lucky stars.").score < 1.0


def test_writer_speaking_as_i_is_opinion_even_with_numbers() -> None:
    text = "Pool Closes\n\nI swam there for 20 years, and I saw it decline in 2019.\n"
    assert _labels(text)[-1][1] == Label.OPINION


def test_having_none_is_a_checkable_state() -> None:
    text = "Pool Closes\n\nThe club has no lifeguard on the weekend.\n"
    assert _labels(text)[-1][1] == Label.UNSOURCED


_INTERVIEW = (
    "The lock keeper\n"
    "Interview by Jo Bell\n"
    "\n"
    "Ana Ruiz, 61, has kept the Dunmere lock for 30 years.\n"
    "\n"
    "Q: How busy is the lock?\n"
    "A: Busier than ever. We passed 4,000 boats last summer.\n"
    "\n"
    "Q: The canal was nearly closed in 1990. Why did it survive?\n"
    "A: Volunteers. Frankly, they saved it.\n"
)


def test_answers_in_a_q_and_a_are_sourced_to_the_interviewee() -> None:
    labels = {sentence: (label, source) for sentence, label, source in _labels(_INTERVIEW)}
    assert labels["A: Busier than ever."] == (Label.SOURCED, "Ana Ruiz")
    assert labels["We passed 4,000 boats last summer."] == (Label.SOURCED, "Ana Ruiz")
    assert labels["Frankly, they saved it."] == (Label.SOURCED, "Ana Ruiz")


def test_interviewer_questions_get_no_label_but_their_claims_do() -> None:
    labels = {sentence: label for sentence, label, _source in _labels(_INTERVIEW)}
    assert "Q: How busy is the lock?" not in labels
    assert "Why did it survive?" not in labels
    assert labels["Q: The canal was nearly closed in 1990."] == Label.UNSOURCED


def test_named_speaker_turns_are_sourced_to_the_speaker() -> None:
    text = (
        "Council meeting transcript\n\n"
        "MAYOR: The budget is balanced.\n"
        "LEE: It is not balanced at all.\n"
        "MAYOR: We cut spending by 4%.\n"
        "LEE: Only on paper.\n"
    )
    sources = {sentence: source for sentence, _label, source in _labels(text)}
    assert sources["MAYOR: The budget is balanced."] == "Mayor"
    assert sources["LEE: Only on paper."] == "Lee"


def test_a_label_used_once_is_no_speaker() -> None:
    text = "Fact check\n\nCLAIM: A post says the pier will close in 2025.\nVERDICT: False.\n"
    reasons = [suggestion.reason for suggestion in analyse(text).suggestions]
    assert not any(reason.startswith("speaker turn") for reason in reasons)


def test_dateline_is_read_past_for_the_speaker() -> None:
    text = (
        "Acme opens plant\n\n"
        "DUNMERE, May 3, 2024 (Wire) — Acme Widgets today announced that it opened a plant.\n"
    )
    ((_sentence, label, source),) = _labels(text)
    assert label == Label.SOURCED
    assert source == "Acme Widgets"


def test_caption_label_is_no_command() -> None:
    text = "Storm hits coast\n\nThe sea rose.\n\nPicture: Waves break over the pier at dawn.\n"
    labels = {sentence: label for sentence, label, _source in _labels(text)}
    assert labels["Picture: Waves break over the pier at dawn."] == Label.UNSOURCED


def test_reference_list_entries_get_no_label() -> None:
    text = (
        "Walking and health\n\n"
        "Walking lowers heart risk, a 2020 study found.\n\n"
        "References:\n"
        "Smith J. (2020), Walking and the heart, Journal of Health 12, pp. 1-9.\n"
        "Lee K. (2019), Steps in 40 towns, Health Review 3.\n"
    )
    labelled = [sentence for sentence, _label, _source in _labels(text)]
    assert not any(sentence.startswith(("Smith", "Lee", "References")) for sentence in labelled)


def test_one_as_a_pronoun_is_no_figure() -> None:
    assert claim_cues("Posts like this one spread fast among worried readers.") is None


def test_recommending_and_forecasting_bodies_are_sources() -> None:
    found = find_attribution("The NHS recommends 150 minutes of activity a week.")
    assert found is not None
    assert found.source == "the NHS"
    expects = find_attribution("Acme expects to hire 200 people next year.")
    assert expects is not None
    assert expects.source == "Acme"


def test_a_social_media_post_is_a_source() -> None:
    found = find_attribution("A viral post says the pier will close in May.")
    assert found is not None
    assert "post" in found.source
    assert find_attribution("He was appointed to the post of harbour master in 2020.") is None


def test_every_stance_and_speculation_phrase_can_be_found() -> None:
    import re

    from annotations.preannotation import opinion

    for table in (opinion.STANCE_PHRASES, opinion.SPECULATION_PHRASES):
        for entry in re.split(r"[|\n]", table):
            phrase = entry.strip()
            if not phrase or any(mark in phrase for mark in "\\[(?"):
                continue  # a pattern, not a plain phrase
            cues = opinion.opinion_cues(f"{phrase.capitalize()}, the plan failed.")
            assert cues.score > 0, phrase
