"""Sentence splitter behaviour on small invented texts."""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.

from annotations.preannotation.sentences import split_sentences


def _split(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def test_full_stops_end_sentences() -> None:
    assert _split("The port closed. Ships waited outside.") == [
        "The port closed.",
        "Ships waited outside.",
    ]


def test_titles_before_names_do_not_end_sentences() -> None:
    text = "Mr. Hale met Gen. Ortiz and Dr. Yu. They spoke."
    assert _split(text) == ["Mr. Hale met Gen. Ortiz and Dr. Yu.", "They spoke."]


def test_initials_do_not_end_sentences() -> None:
    assert _split("It was written by J. R. Tolkin in Oxford. Later it sold.") == [
        "It was written by J. R. Tolkin in Oxford.",
        "Later it sold.",
    ]


def test_dotted_acronym_ends_a_sentence_only_before_a_sentence_starter() -> None:
    text = "He moved to the U.S. The move was quick. The U.S. Army agreed."
    assert _split(text) == ["He moved to the U.S.", "The move was quick.", "The U.S. Army agreed."]


def test_number_abbreviation_and_latin_abbreviation_do_not_split() -> None:
    text = "Route No. 5 is shut, e.g. near Tours. Traffic is slow."
    assert _split(text) == ["Route No. 5 is shut, e.g. near Tours.", "Traffic is slow."]


def test_decimal_numbers_stay_whole() -> None:
    assert _split("Prices rose 3.5 percent. Wages fell.") == [
        "Prices rose 3.5 percent.",
        "Wages fell.",
    ]


def test_full_stop_inside_closing_quotes_ends_the_sentence_after_the_quote() -> None:
    text = 'She said, "We are leaving." Then she left.'
    assert _split(text) == ['She said, "We are leaving."', "Then she left."]


def test_ellipsis_ends_a_sentence_only_before_a_capital() -> None:
    assert _split("We waited... and waited… Nothing came.") == [
        "We waited... and waited…",
        "Nothing came.",
    ]


def test_line_break_between_paragraphs_always_ends_a_sentence() -> None:
    assert _split("A headline without stop\nThe body starts here") == [
        "A headline without stop",
        "The body starts here",
    ]


def test_hard_wrapped_lines_are_joined() -> None:
    text = "The council met on Monday and\nvoted to close the bridge."
    assert _split(text) == [text]


def test_list_markers_are_left_out_of_sentences() -> None:
    assert _split("  • Troops moved north\n  • Talks stalled") == [
        "Troops moved north",
        "Talks stalled",
    ]


def test_glued_sentences_from_scrapers_are_split() -> None:
    assert _split("It failed.Nobody came.") == ["It failed.", "Nobody came."]


def test_question_and_exclamation_marks_end_sentences() -> None:
    assert _split("Who benefits? Nobody knows! Really.") == [
        "Who benefits?",
        "Nobody knows!",
        "Really.",
    ]


def test_range_arguments_limit_the_split() -> None:
    text = "Skip me. Keep this. And this."
    assert [text[s:e] for s, e in split_sentences(text, 9)] == ["Keep this.", "And this."]


def test_no_ends_a_sentence_unless_a_number_follows() -> None:
    assert _split("Two members voted no. Lund said the plan was rushed.") == [
        "Two members voted no.",
        "Lund said the plan was rushed.",
    ]
    assert _split("He lives at No. 5 Bay Road.") == ["He lives at No. 5 Bay Road."]


def test_ordinary_words_that_abbreviate_before_numbers_still_end_sentences() -> None:
    text = "She teaches art. The class is full. See art. 5 and fig. 3 of the code."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "She teaches art.",
        "The class is full.",
        "See art. 5 and fig. 3 of the code.",
    ]
