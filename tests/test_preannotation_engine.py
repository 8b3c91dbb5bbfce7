"""End-to-end behaviour of ``analyse``: seeds, offsets, determinism, unicode, evaluation."""

import pytest

from annotations.preannotation import (
    ENGINE_NAME,
    ENGINE_VERSION,
    Analysis,
    Label,
    ZoneKind,
    analyse,
)
from annotations.preannotation.evaluation import evaluate, throughput
from tests.conftest import ROOT, SEEDS

# The seeds and the gold set are tracked in the repository: a missing file must fail, not skip.
DATA = ROOT / "tests" / "data"


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _assert_offsets_exact(text: str, analysis: Analysis) -> None:
    spans = [*analysis.zones, *analysis.sentences, *analysis.suggestions]
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        piece = text[span.start : span.end]
        assert piece.strip() == piece


def _kinds(analysis: Analysis, kind: ZoneKind) -> list[int]:
    return [i for i, zone in enumerate(analysis.zones) if zone.kind == kind]


def test_empty_text_gives_empty_analysis() -> None:
    for text in ("", "   \n\n\t"):
        analysis = analyse(text)
        assert analysis == Analysis(ENGINE_NAME, ENGINE_VERSION, (), (), ())


def test_same_input_gives_same_output() -> None:
    text = "A Title\n\nGen. Ruiz said 30 troops left. Clearly this is a disgrace.\n"
    assert analyse(text) == analyse(text)


def test_unicode_keeps_offsets_exact() -> None:
    text = (
        "Titre café 🚀 北京\n\n"
        "Le ministre a dit: «ok». 北京 sent 20 envoys 🚀 on Monday to Paris. "
        "Zoë Ñandú said the café reopened in 2021. Straße e\u0301te closed.\n"
    )
    analysis = analyse(text)
    _assert_offsets_exact(text, analysis)
    sources = [s.source for s in analysis.suggestions if s.label == Label.SOURCED]
    assert "Zoë Ñandú" in sources
    emoji_sentence = next(s for s in analysis.sentences if "🚀 on Monday" in text[s.start : s.end])
    assert text[emoji_sentence.start : emoji_sentence.end].endswith("to Paris.")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_offsets_are_exact_and_all_labels_appear(prefix: str) -> None:
    text = _seed(prefix)
    analysis = analyse(text)
    _assert_offsets_exact(text, analysis)
    labels = {s.label for s in analysis.suggestions}
    assert Label.SOURCED in labels
    assert Label.OPINION in labels
    assert analysis.engine == ENGINE_NAME


def test_seed_000_has_one_article_and_reader_comments_after_it() -> None:
    text = _seed("000")
    analysis = analyse(text)
    (article,) = [analysis.zones[i] for i in _kinds(analysis, ZoneKind.ARTICLE)]
    (comments,) = [analysis.zones[i] for i in _kinds(analysis, ZoneKind.COMMENTS)]
    assert article.end < comments.start
    assert text[comments.start :].startswith("Link to the")


def test_seed_001_captions_include_image_file_names() -> None:
    text = _seed("001")
    analysis = analyse(text)
    captions = [
        text[analysis.zones[i].start : analysis.zones[i].end]
        for i in _kinds(analysis, ZoneKind.CAPTION)
    ]
    assert len(captions) == 8
    assert captions[0].startswith("Screenshot 2018-11-10 hostages.png")


def test_seed_002_compilation_is_cut_into_articles_with_titles_and_bylines() -> None:
    analysis = analyse(_seed("002"))
    articles = [analysis.zones[i] for i in _kinds(analysis, ZoneKind.ARTICLE)]
    assert len(articles) == 8
    assert all("title" in a.metadata and "published" in a.metadata for a in articles)
    assert articles[0].metadata["author"] == "M. K. BHADRAKUMAR"
    assert articles[2].metadata["outlet"] == "The Cradle"


def test_seed_003_page_chrome_is_boilerplate_without_suggestions() -> None:
    text = _seed("003")
    analysis = analyse(text)
    boiler = [analysis.zones[i] for i in _kinds(analysis, ZoneKind.BOILERPLATE)]
    assert [text[z.start : z.end].split("\n")[0] for z in boiler] == [
        "Menu Close",
        "US Signs Agreement with US for US Troops in Syria",
        "You have successfully subscribed to the newsletter",
    ]
    for suggestion in analysis.suggestions:
        assert not any(z.start <= suggestion.start < z.end for z in boiler)


def test_seed_004_two_line_byline_sits_inside_the_article() -> None:
    analysis = analyse(_seed("004"))
    (article,) = [analysis.zones[i] for i in _kinds(analysis, ZoneKind.ARTICLE)]
    assert article.metadata["author"] == "Claire Bernish"
    assert article.metadata["published"] == "2016-02-12"


def test_throughput_helper_runs_on_the_seeds() -> None:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert throughput(seeds, repeat=1) > 0


def test_evaluation_reports_scores_for_every_label_and_zone_kind() -> None:
    report = evaluate(SEEDS, DATA)
    assert set(report.labels) == {"sourced", "unsourced", "opinion"}
    assert report.missing == 0
    assert "label sourced" in report.format_table()
    # Regression floor, below the current figures: rules must not silently get worse.
    assert all(score.f1 >= 0.65 for score in report.labels.values())
    assert report.zone_total().f1 >= 0.9
