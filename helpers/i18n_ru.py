"""Russian texts for `helpers.i18n.tr`, keyed by the English text (placeholders such as {n} kept as they are)."""

RU: dict[str, str] = {
}
