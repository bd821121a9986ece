import numpy as np
import pytest

from netral_scan.feeds import Item
from netral_scan.scoring import NOT_FLAGGED, PARENT_MARK, Scorer, item_documents, training_document
from netral_scan.text import CONTEXT_SEPARATOR, stem, with_context

from conftest import ROOT

CAMPAIGN = "Ayo 14 Februari coblos nomor 2, menangkan Prabowo-Gibran satu putaran! ✌️ #PrabowoGibran2024"
RUN = "Alhamdulillah lari 10K pertama selesai pagi ini, bulan depan coba half marathon"
NEWS = "KPU menetapkan jadwal debat capres ketiga pada 7 Januari di Istora Senayan"


def item(kind, text="", parent=""):
    return Item(id="t", kind=kind, text=text, parent_text=parent)


def test_post_is_judged_on_its_text():
    assert item_documents(item("post", "halo")) == ["halo"]


def test_like_is_judged_on_the_liked_content():
    assert item_documents(item("like", "", CAMPAIGN)) == [CAMPAIGN]


def test_share_judges_caption_and_shared_content_separately():
    assert item_documents(item("share", "info", NEWS)) == ["info", NEWS]
    assert item_documents(item("share", "", NEWS)) == [NEWS]


def test_comment_is_read_with_what_it_replies_to():
    assert item_documents(item("comment", "setuju", CAMPAIGN)) == [f"setuju{CONTEXT_SEPARATOR}{CAMPAIGN}"]


def test_nothing_to_judge_gives_no_documents():
    assert item_documents(item("like")) == []
    assert item_documents(item("post", "   ")) == []


def test_a_share_trains_on_caption_and_content_together():
    assert training_document("share", "info", NEWS) == f"info\n{NEWS}"


@pytest.fixture(scope="module")
def scorer(default_model):
    return Scorer(default_model)


def judge(scorer, *items):
    return scorer.score(list(items))


def test_an_explicit_vote_call_is_flagged_with_quotable_evidence(scorer):
    [result] = judge(scorer, item("post", CAMPAIGN))
    assert result.flagged and result.label == "endorse"
    assert "coblos" in result.reasons.lower() or "nomor 2" in result.reasons.lower()
    for quoted in result.reasons.split("; "):
        assert quoted in CAMPAIGN


def test_a_neutrality_reminder_is_not_flagged(scorer):
    text = ("Pengingat untuk rekan-rekan ASN: jaga netralitas, jangan like, komen atau share postingan paslon "
            "mana pun selama masa kampanye. Sanksinya jelas di PP 94/2021.")
    [result] = judge(scorer, item("post", text))
    assert not result.flagged


def test_the_same_comment_depends_on_what_it_replies_to(scorer):
    under_campaign, under_run = judge(scorer, item("comment", "Setuju, lanjutkan!", CAMPAIGN),
                                      item("comment", "Setuju, lanjutkan!", RUN))
    assert under_campaign.flagged and under_campaign.label == "endorse"
    assert not under_run.flagged
    assert under_campaign.score > under_run.score


def test_a_like_of_campaign_content_is_flagged_and_of_news_is_not(scorer):
    campaign, news = judge(scorer, item("like", "", CAMPAIGN), item("like", "", NEWS))
    assert campaign.flagged and not news.flagged


def test_a_share_is_flagged_when_either_part_takes_a_side(scorer):
    neutral_caption, attacking_caption, both_neutral = judge(
        scorer, item("share", "info", CAMPAIGN),
        item("share", "liat nih kelakuan capres yg satu ini, jangan sampai menang 🙄", NEWS),
        item("share", "info", NEWS))
    assert neutral_caption.flagged and attacking_caption.flagged and not both_neutral.flagged


def test_evidence_from_the_parent_is_marked(scorer):
    [result] = judge(scorer, item("comment", "👍", CAMPAIGN))
    if result.flagged:
        assert any(part.startswith(PARENT_MARK) for part in result.reasons.split("; "))


def test_items_with_nothing_to_judge_give_none(scorer):
    assert judge(scorer, item("like")) == [None]


def test_without_unflagged_results_only_flagged_items_get_their_own_result(scorer):
    items = [Item(id="v", kind="post", text="Ayo 14 Februari coblos nomor 2, menangkan 02 satu putaran! ✌️"),
             Item(id="n", kind="post", text="Selamat pagi, sarapan nasi uduk dulu sebelum berangkat kerja"),
             Item(id="e", kind="like")]
    full = scorer.score(items)
    vote, neutral, empty = scorer.score(items, unflagged_results=False)
    assert vote == full[0] and vote.flagged and vote.item is items[0]
    assert neutral is NOT_FLAGGED and not full[1].flagged and empty is None
    assert scorer.score(items, explain_all=True, unflagged_results=False)[1].item is items[1]


def test_threshold_override_changes_the_flag(default_model):
    [strict] = Scorer(default_model, threshold=1.0).score([item("post", CAMPAIGN)])
    [lenient] = Scorer(default_model, threshold=0.0).score([item("post", "selamat pagi")])
    assert not strict.flagged and lenient.flagged


def test_skipping_unstemmable_words_never_changes_a_feature(default_model):
    """Every word whose real stem is a feature must pass the filter (checked on the corpus vocabulary)."""
    import csv

    from netral_scan.text import StemFilter, tokenize

    vocabulary = default_model.pipeline.named_steps["tfidf"].vocabulary_
    worth_stemming = StemFilter(vocabulary)
    words = set()
    with open(ROOT / "data" / "test.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            words.update(t.norm for t in tokenize(row["text"] + " " + row["parent_text"]))
    missed = [w for w in words if stem(w) in worth_stemming.roots and not worth_stemming(w)]
    assert missed == []
    assert sum(map(worth_stemming, words)) < len(words)  # the filter does skip some words


def test_affixed_forms_of_model_roots_pass_the_stem_filter_whenever_they_stem_to_a_feature(default_model):
    """Prefix stacks with re-coded letters (memilih, menyeasa → asa), infixes, suffix chains, non-ASCII letters."""
    from netral_scan.text import StemFilter, _root_words

    worth_stemming = StemFilter(default_model.scoring_weights().features.tolist())
    roots = sorted(root for root in worth_stemming.roots if root in _root_words())[::150]
    prefixes = ["", "di", "ke", "se", "ber", "ter", "me", "mem", "men", "meng", "meny", "menge", "menye", "pe", "pem",
                "pen", "peng", "peny", "penye", "per", "memper", "diper", "pel"]
    suffixes = ["", "kan", "an", "i", "nya", "lah", "kannya", "ku", "mu", "kah", "pun", "isasi"]
    words = {"éta", "bérita", "pensineasi"}
    for root in roots:
        words.update(prefix + body + suffix for prefix in prefixes for suffix in suffixes for body in (root, root[1:]))
        words.update(root[0] + infix + root[1:] for infix in ("el", "em", "er", "in"))
    missed = [w for w in words if stem(w) != w and stem(w) in worth_stemming.roots and not worth_stemming(w)]
    assert len(roots) > 20 and missed == []


def test_scoring_gives_the_pipelines_own_probabilities(default_model):
    import csv

    with open(ROOT / "data" / "test.csv", encoding="utf-8") as handle:
        documents = [row["text"] for row in csv.DictReader(handle) if row["text"]][:300]
    fast, _ = Scorer(default_model).probabilities(documents)
    assert np.allclose(fast, default_model.pipeline.predict_proba(documents))


def test_evidence_found_from_the_batch_tokens_equals_walking_each_text_again(default_model):
    from test_vectorize import TRICKY, corpus_documents

    scorer = Scorer(default_model)
    documents = corpus_documents(800) + TRICKY + [
        "coblos — Prabowo!!! ayo",  # a bigram across a chunk with no token
        "#PrabowoGibran2024, menang!",  # tokens sharing one chunk's span
        with_context("setuju bgt", "RT @user: coblos nomor 2, lanjutkan!"),
    ]
    probabilities, features, encoded = scorer._judge(documents)
    ranked = scorer.ranked_features(features, probabilities, list(range(len(documents))))
    traced = scorer.reasons(documents, encoded, ranked)
    encoded.traced[:] = False  # every document walked again, as the whole-text ones are
    walked = scorer.reasons(documents, encoded, ranked)
    assert sum(bool(reasons) for reasons in traced.values()) > len(documents) // 2
    assert traced == walked


def test_a_lone_surrogate_is_scored_and_quoted_like_other_text(default_model):
    scorer = Scorer(default_model)
    plain, odd = "ayo coblos nomor 2 menang", "ayo coblos nomor 2 menang \ud800"
    (plain_result,), (odd_result,) = (scorer.score([Item(id="1", kind="post", text=text)]) for text in (plain, odd))
    assert odd_result.score == pytest.approx(plain_result.score, abs=0.05)
    assert odd_result.reasons and odd_result.flagged == plain_result.flagged


def test_batches_read_whole_or_with_lone_surrogates_still_get_evidence(default_model):
    scorer = Scorer(default_model)
    items = [Item(id="1", kind="post", text="coblos nomor 2 ya"),  # read whole
             Item(id="2", kind="comment", text="setuju nomor 2", parent_text="coblos 02 \ud800 menang")]
    for batch in (items[:1], items[1:], items):
        results = scorer.score(batch)
        assert all(result.flagged and result.reasons for result in results)
