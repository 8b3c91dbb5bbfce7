"""Structure finder behaviour on small invented pages."""

# Typographic quotes and dashes are what this text engine reads, so they are meant here.
# ruff: noqa: RUF001

from annotations.preannotation import layout
from annotations.preannotation.model import Zone, ZoneKind
from annotations.preannotation.structure import find_zones


def _zones(text: str, kind: ZoneKind) -> list[Zone]:
    return [zone for zone in find_zones(text) if zone.kind == kind]


def _texts(text: str, kind: ZoneKind) -> list[str]:
    return [text[zone.start : zone.end] for zone in _zones(text, kind)]


def test_byline_with_pipes_gives_author_outlet_and_date() -> None:
    meta = layout.parse_byline("BY JANE ROE | THE HARBOUR POST | MARCH 3, 2021")
    assert meta == {"author": "JANE ROE", "outlet": "THE HARBOUR POST", "published": "2021-03-03"}


def test_byline_with_dashes_and_numeric_date() -> None:
    meta = layout.parse_byline("By Ana Lind – Nordic Wire – 05.11.2022")
    assert meta == {"author": "Ana Lind", "outlet": "Nordic Wire", "published": "2022-11-05"}


def test_outlet_and_date_line_is_a_byline() -> None:
    assert layout.parse_byline("The Ledger | 7 June 2019") == {
        "outlet": "The Ledger",
        "published": "2019-06-07",
    }


def test_headline_with_a_dash_is_not_a_byline() -> None:
    assert layout.parse_byline("Floods - What We Know") is None
    assert layout.parse_byline("By the way, the bridge is closed") is None


def test_name_and_outlet_over_a_date_line_form_one_byline() -> None:
    text = "River Rises\n\nSome intro text here.\n\nTom Fry, Valley News\nJune 2, 2020\n\nBody."
    assert _texts(text, ZoneKind.BYLINE) == ["Tom Fry, Valley News\nJune 2, 2020"]
    article = _zones(text, ZoneKind.ARTICLE)[0]
    assert article.metadata["author"] == "Tom Fry"
    assert article.metadata["outlet"] == "Valley News"


def test_single_page_has_one_article_with_title_and_body() -> None:
    text = "Bridge Closed After Storm\n\nThe bridge closed on Monday. It reopens soon.\n"
    assert _texts(text, ZoneKind.TITLE) == ["Bridge Closed After Storm"]
    assert _texts(text, ZoneKind.BODY) == ["The bridge closed on Monday. It reopens soon."]
    (article,) = _zones(text, ZoneKind.ARTICLE)
    assert article.metadata["title"] == "Bridge Closed After Storm"


def test_compilation_page_is_split_into_articles_at_headline_over_byline() -> None:
    text = (
        "First Story Headline\nBy Ann Bell | Daily Star | May 1, 2023\nFirst body line.\n"
        "Second body line.\nSecond Story Headline\nThe Courier | May 2, 2023\nOther body.\n"
    )
    articles = _zones(text, ZoneKind.ARTICLE)
    assert [a.metadata["title"] for a in articles] == [
        "First Story Headline",
        "Second Story Headline",
    ]
    assert articles[1].metadata["outlet"] == "The Courier"
    assert _texts(text, ZoneKind.BODY) == ["First body line.\nSecond body line.", "Other body."]


def test_image_file_names_and_photo_labels_are_captions() -> None:
    text = "A Title\n\nBody one.\n\nIMG_0042 harbour.jpg\n(Photo: AP. Boats at dawn.)\n\nBody two."
    assert _texts(text, ZoneKind.CAPTION) == ["IMG_0042 harbour.jpg\n(Photo: AP. Boats at dawn.)"]
    assert _texts(text, ZoneKind.BODY) == ["Body one.", "Body two."]


def test_page_chrome_and_newsletter_notice_are_boilerplate_outside_the_article() -> None:
    text = (
        "Menu Close\n\nA Title\n\nThe body says things.\n\n"
        "Subscribe to our newsletter\nWe use cookies to improve the site.\n"
    )
    boiler = _texts(text, ZoneKind.BOILERPLATE)
    assert boiler == [
        "Menu Close",
        "Subscribe to our newsletter\nWe use cookies to improve the site.",
    ]
    (article,) = _zones(text, ZoneKind.ARTICLE)
    assert text[article.start : article.end] == "A Title\n\nThe body says things."


def test_trailing_list_of_headlines_is_boilerplate() -> None:
    text = (
        "A Title\n\nThe body says things.\n\n\nTroops Leave The North\n\n"
        "Talks Resume In Geneva\n\nMarkets Fall Again\n"
    )
    assert _texts(text, ZoneKind.BOILERPLATE) == [
        "Troops Leave The North\n\nTalks Resume In Geneva\n\nMarkets Fall Again"
    ]


def test_comment_header_starts_the_comments_zone() -> None:
    text = "A Title\n\nThe body says things.\n\n3 Comments\n\nGreat piece.\n\nI disagree."
    assert _texts(text, ZoneKind.COMMENTS) == ["3 Comments\n\nGreat piece.\n\nI disagree."]


def test_comment_like_block_after_a_wide_gap_is_comments() -> None:
    text = (
        "A Title\n\nThe body says things.\n\n\n"
        "lol this is rubbish.Nobody believes it!!\n\nyeah right.Sure."
    )
    (comments,) = _zones(text, ZoneKind.COMMENTS)
    assert text[comments.start :].startswith("lol this")
    (article,) = _zones(text, ZoneKind.ARTICLE)
    assert article.end < comments.start


def test_signature_line_is_a_byline_inside_the_article() -> None:
    text = "A Title\n\nThe body says things.\n\n— Mara Quill\n"
    assert _texts(text, ZoneKind.BYLINE) == ["— Mara Quill"]
    assert _zones(text, ZoneKind.ARTICLE)[0].metadata["author"] == "Mara Quill"


def test_standfirst_between_headline_and_byline_is_a_title_zone() -> None:
    text = (
        "Big Headline\nA short standfirst sentence.\nBy Lee Park | The Post | 1 May 2020\nBody.\n"
    )
    assert _texts(text, ZoneKind.TITLE) == ["Big Headline\nA short standfirst sentence."]


def test_text_with_only_blank_lines_has_no_zones() -> None:
    assert find_zones("\n \n\t\n") == []
