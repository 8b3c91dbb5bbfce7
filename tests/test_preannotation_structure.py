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
    # The header is page chrome (a widget label); the comments start under it.
    text = "A Title\n\nThe body says things.\n\n3 Comments\n\nGreat piece.\n\nI disagree."
    assert _texts(text, ZoneKind.COMMENTS) == ["Great piece.\n\nI disagree."]
    assert _texts(text, ZoneKind.BOILERPLATE) == ["3 Comments"]


def test_reply_form_after_comments_is_boilerplate() -> None:
    text = (
        "A Title\n\nThe body says things.\n\n2 Responses\n\nreader_one\n"
        "May 2, 2023 at 8:15 pm\nNice work.\n\nLeave a Comment\n"
        "Your email address will not be published. Required fields are marked *\n"
    )
    assert _texts(text, ZoneKind.COMMENTS) == ["reader_one\nMay 2, 2023 at 8:15 pm\nNice work."]
    assert _texts(text, ZoneKind.BOILERPLATE)[-1].startswith("Leave a Comment\nYour email")


def test_timestamp_lines_with_clock_time_and_zone_are_date_lines() -> None:
    assert layout.is_date_line("Updated 11:05 AM CST, Fri March 1, 2024")
    assert layout.is_date_line("Published Feb. 9, 2022 at 7:30 p.m. ET")
    assert layout.is_date_line("June 3, 2021 at 10:02 pm")
    assert not layout.is_date_line("The vote was held on June 3, 2021 at the town hall")


def test_byline_and_timestamp_lines_form_one_byline_zone() -> None:
    text = "Ferry Service Resumes\nBy Noor Haddad\nUpdated 9:10 AM PDT, Mon May 6, 2024\n\nBody.\n"
    assert _texts(text, ZoneKind.BYLINE) == ["By Noor Haddad\nUpdated 9:10 AM PDT, Mon May 6, 2024"]


def test_posted_on_date_by_author_with_comment_count_is_a_byline() -> None:
    assert layout.parse_byline("Posted on July 2, 2020 by Ines Varga | 12 Comments") == {
        "published": "2020-07-02",
        "author": "Ines Varga",
    }


def test_production_credit_and_contact_lines_are_bylines() -> None:
    assert layout.parse_byline("Reporting by Omar Said in Cairo; Editing by Pia Lund") == {
        "author": "Omar Said"
    }
    assert layout.parse_byline("Additional reporting by Kim Ito") == {"author": "Kim Ito"}
    assert layout.parse_byline("Contact Rhea Blum at rblum@example.org.") == {"author": "Rhea Blum"}
    assert layout.parse_byline("Reporting by the numbers is hard work for everyone.") is None


def test_closing_bio_of_the_byline_author_is_a_byline_zone() -> None:
    text = (
        "Keep The Night Trains\nBy Ola Berg, Guest Columnist\n\nThe body argues things.\n\n"
        "Ola Berg is a retired signal engineer. She lives in Malmo.\n"
    )
    assert _texts(text, ZoneKind.BYLINE)[-1] == (
        "Ola Berg is a retired signal engineer. She lives in Malmo."
    )
    other = "A Title\nBy Ola Berg\n\nBody.\n\nPer Lind is a retired engineer who disagrees.\n"
    assert len(_zones(other, ZoneKind.BYLINE)) == 1


def test_sentence_headline_right_over_a_byline_is_the_title() -> None:
    text = "Opinion: Fix the roads. Then fix the buses.\nBy Ada Crane\n\nBody text here.\n"
    assert _texts(text, ZoneKind.TITLE) == ["Opinion: Fix the roads. Then fix the buses."]


def test_caption_with_trailing_photo_credit_and_line_under_image_file() -> None:
    text = (
        "A Title\n\nBody one.\n\n"
        "A crane lifts the last beam on Friday. (Photo: Jo Vance/The Star)\n"
        "\nBody two.\n\ncrane_final_beam.jpg\nWorkers cheer as the beam is set\n\nBody three.\n"
        "\nVolunteers sort parcels in the hall. (Ana Ruiz/Daily Press)\n\nBody four.\n"
    )
    assert _texts(text, ZoneKind.CAPTION) == [
        "A crane lifts the last beam on Friday. (Photo: Jo Vance/The Star)",
        "crane_final_beam.jpg\nWorkers cheer as the beam is set",
        "Volunteers sort parcels in the hall. (Ana Ruiz/Daily Press)",
    ]


def test_newsletter_footer_and_more_photos_pointer_are_boilerplate() -> None:
    for line in (
        "You are receiving this email because you signed up for Daily Digest.",
        "View this email in your browser",
        "More photos at example.com/gallery",
        "Powered by Ghost",
    ):
        assert layout.is_boilerplate_line(line), line


def test_headline_with_section_kicker_opens_an_unsigned_item_on_a_multi_article_page() -> None:
    text = (
        "Port Strike Ends\nBy Al Reed\n\nDockers returned on Monday.\n\n"
        "Tram Line Opens\nBy Bo Lin\n\nThe tram carried 900 riders.\n\nNew Routes\n\n"
        "Two routes were added.\n\nCity Briefs: Pool reopens\n\nThe pool reopened on Friday.\n"
    )
    titles = _texts(text, ZoneKind.TITLE)
    assert titles == ["Port Strike Ends", "Tram Line Opens", "City Briefs: Pool reopens"]
    assert len(_zones(text, ZoneKind.ARTICLE)) == 3


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


def test_headline_after_an_advertisement_separator_opens_an_unsigned_item() -> None:
    text = (
        "Port Strike Ends\nBy Al Reed\n\nDockers returned on Monday.\n\n"
        "Tram Line Opens\nBy Bo Lin\n\nThe tram carried 900 riders.\n\nAdvertisement\n\n"
        "Pool Reopens After Repairs\n\nThe pool reopened on Friday.\n"
    )
    assert _texts(text, ZoneKind.TITLE)[-1] == "Pool Reopens After Repairs"
    assert _texts(text, ZoneKind.BOILERPLATE) == ["Advertisement"]


def test_staff_byline_opens_an_item_on_a_multi_item_page() -> None:
    text = (
        "Library Opens New Wing\nBy Ora Finch\nThe library opened a wing on Monday.\n\n"
        "Bakery Wins County Prize\nStaff report\nA bakery on Elm Road won a prize on Friday.\n"
    )
    assert layout.parse_byline("From staff reports") == {"author": "From staff reports"}
    assert _texts(text, ZoneKind.TITLE) == ["Library Opens New Wing", "Bakery Wins County Prize"]
    assert _texts(text, ZoneKind.BYLINE) == ["By Ora Finch", "Staff report"]
    assert len(_zones(text, ZoneKind.ARTICLE)) == 2


def test_posted_by_line_with_middots_is_a_byline() -> None:
    meta = layout.parse_byline("Posted by Ivo Grant · 3 May 2024 · 12 Comments")
    assert meta == {"author": "Ivo Grant", "published": "2024-05-03"}


def test_kicker_over_headline_joins_the_title_block() -> None:
    text = "ANALYSIS\nWhy the ferry fares keep rising\nBy Mo Tan\n\nFares rose again in May.\n"
    assert _texts(text, ZoneKind.TITLE) == ["ANALYSIS\nWhy the ferry fares keep rising"]
    (article,) = _zones(text, ZoneKind.ARTICLE)
    assert article.metadata["title"] == "Why the ferry fares keep rising"


def test_photographs_by_line_is_part_of_the_byline() -> None:
    text = "Harbour Days\n\nBy Ema Kovac\nPhotographs by Rui Sa\n\nThe boats came in at dawn.\n"
    assert _texts(text, ZoneKind.BYLINE) == ["By Ema Kovac\nPhotographs by Rui Sa"]


def test_photograph_credit_line_is_a_caption() -> None:
    assert layout.is_caption_line("Photograph: Ana Pol/Coast Agency")


def test_masthead_block_and_signup_box_are_chrome() -> None:
    text = (
        "Home | News | Sport | Donate\nThe Valley Voice - local news since 1990\nSearch...\n\n"
        "Dam Repairs Begin\nBy Lu Chen | 4 June 2024\n\nWork on the dam began on Monday.\n\n"
        "Get our briefing in your inbox\nEmail address\nSubscribe\n"
    )
    chrome = _texts(text, ZoneKind.BOILERPLATE)
    assert chrome[0].startswith("Home | News")
    assert chrome[0].endswith("Search...")
    assert chrome[1] == "Get our briefing in your inbox\nEmail address\nSubscribe"
    assert _texts(text, ZoneKind.TITLE) == ["Dam Repairs Begin"]


def test_headlines_under_a_related_header_are_chrome_even_before_comments() -> None:
    text = (
        "Dam Repairs Begin\nBy Lu Chen | 4 June 2024\n\nWork on the dam began on Monday.\n\n"
        "Related stories\nCouncil sets the water budget\nWhat the dam means for anglers\n\n"
        "2 Comments\n\nrivergirl\nGood news at last, lol!!\n"
    )
    chrome = _texts(text, ZoneKind.BOILERPLATE)
    assert (
        "Related stories\nCouncil sets the water budget\nWhat the dam means for anglers" in chrome
    )
    assert "2 Comments" in chrome
    assert _texts(text, ZoneKind.BODY) == ["Work on the dam began on Monday."]


def test_relative_timestamp_and_name_list_form_a_byline() -> None:
    text = (
        "Flood live: river peaks at Dunmere\n"
        "Updated 12 minutes ago\n"
        "Ana Ruiz, Sam Lee and Jo Bell\n"
        "\n"
        "The river peaked at 4.2 metres this morning.\n"
    )
    assert layout.is_date_line("Updated 12 minutes ago")
    assert _texts(text, ZoneKind.BYLINE) == [
        "Updated 12 minutes ago\nAna Ruiz, Sam Lee and Jo Bell"
    ]
    assert _texts(text, ZoneKind.TITLE) == ["Flood live: river peaks at Dunmere"]


def test_by_line_with_a_lower_case_role_and_interview_by() -> None:
    assert layout.parse_byline("By Jo Bell, health reporter") == {"author": "Jo Bell"}
    assert layout.parse_byline("Interview by Sam Lee") == {"author": "Sam Lee"}
    assert layout.parse_byline("By the way, the bridge is closed") is None


def test_placed_signature_is_a_closing_byline() -> None:
    meta = layout.parse_byline("— Ana Ruiz, chair of the parish council, Dunmere")
    assert meta is not None
    assert meta["author"] == "Ana Ruiz"
    assert layout.parse_byline("- Lower taxes, higher wages") is None


def test_letters_page_is_one_article_per_signed_letter() -> None:
    text = (
        "Your Letters\n"
        "Write to us at post@example.org. We may shorten letters.\n"
        "\n"
        "Keep the ferry running\n"
        "The ferry is the only link to the island in winter.\n"
        "— Ana Ruiz, Dunmere\n"
        "\n"
        "Parking fees hurt shops\n"
        "Since the fees rose, half the shops on Mill Street have closed.\n"
        "— Sam Lee, Eastwick\n"
    )
    assert _texts(text, ZoneKind.TITLE) == ["Keep the ferry running", "Parking fees hurt shops"]
    assert _texts(text, ZoneKind.BYLINE) == ["— Ana Ruiz, Dunmere", "— Sam Lee, Eastwick"]
    assert _texts(text, ZoneKind.BOILERPLATE) == [
        "Your Letters\nWrite to us at post@example.org. We may shorten letters."
    ]
    assert [z.metadata.get("author") for z in _zones(text, ZoneKind.ARTICLE)] == [
        "Ana Ruiz",
        "Sam Lee",
    ]


def test_menu_lines_contact_lines_and_disclaimers_are_chrome() -> None:
    assert layout.is_menu_line("Home | World | Sport | Weather")
    assert layout.is_menu_line("More letters | Submit a letter")
    assert not layout.is_menu_line("Storm | What we know")
    assert layout.is_contact_line("press@example.com")
    assert layout.is_contact_line("+44 (0)20 7946 0958")
    assert layout.is_boilerplate_line("Columns represent the views of the writers, not the paper.")
    assert layout.is_contact_note("Got a tip? Email tips@example.org.")


def test_press_release_furniture() -> None:
    text = (
        "Home | Newsroom | Investors | Contact\n"
        "\n"
        "Acme Opens Plant in Dunmere\n"
        "Plant adds 300 jobs by 2026\n"
        "NEWS PROVIDED BY\n"
        "Acme Widgets Ltd.\n"
        "12 May, 2024, 09:00 ET\n"
        "\n"
        "DUNMERE, May 12, 2024 /Wire Service/ — Acme Widgets today opened a plant.\n"
        "\n"
        "About Acme Widgets\n"
        "Acme Widgets makes widgets. Visit www.example.com.\n"
        "\n"
        "Media contact\n"
        "Jo Bell, Acme Widgets\n"
        "press@example.com\n"
    )
    assert _texts(text, ZoneKind.TITLE) == [
        "Acme Opens Plant in Dunmere\nPlant adds 300 jobs by 2026"
    ]
    assert _texts(text, ZoneKind.BYLINE) == [
        "NEWS PROVIDED BY\nAcme Widgets Ltd.\n12 May, 2024, 09:00 ET"
    ]
    assert _texts(text, ZoneKind.BODY) == [
        "DUNMERE, May 12, 2024 /Wire Service/ — Acme Widgets today opened a plant."
    ]
    assert len(_zones(text, ZoneKind.BOILERPLATE)) == 3
    article = _zones(text, ZoneKind.ARTICLE)[0]
    assert article.metadata["outlet"] == "Wire Service"


def test_question_headline_over_standfirst_is_one_title_block() -> None:
    text = (
        "Is tap water safe? Here is what the tests say\n"
        "Our reporter looked at ten years of results from the county\n"
        "By Jo Bell | 3 May 2024\n"
        "\n"
        "Image caption: A tap in a kitchen in Dunmere.\n"
        "\n"
        "The county tested 400 taps last year.\n"
    )
    assert len(_texts(text, ZoneKind.TITLE)) == 1
    assert _texts(text, ZoneKind.CAPTION) == ["Image caption: A tap in a kitchen in Dunmere."]


def test_editor_note_closing_an_interview_is_a_byline() -> None:
    text = (
        "Meet the harbour master\n"
        "By Jo Bell\n"
        "\n"
        "Q: How long have you worked here?\n"
        "A: Twenty years.\n"
        "\n"
        "This interview has been condensed for clarity.\n"
    )
    assert _texts(text, ZoneKind.BYLINE)[-1] == "This interview has been condensed for clarity."
