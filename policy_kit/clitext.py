"""The command line in Japanese: help texts of every command and option, and the words click
itself prints (usage, options, defaults). English stays in the click decorators of cli.py and is
shown with ``--lang en`` or an English locale (LANG/LC_ALL starting with ``en``).

Plain data, imported by cli.py at start-up (it must stay light: `policy-kit --help` ≤ 0.3 s)."""
from __future__ import annotations

HEADINGS_JA = {"usage": "使い方: ", "options": "オプション", "commands": "コマンド", "arguments": "[オプション]"}

# command path (without the program name) → Japanese help (first line is the short help)
COMMAND_HELP_JA = {
    "": """学校いじめ防止基本方針をつくり（generate）、点検します（check・audit）。

\b
終了コード: 0 成功、1 指摘あり（必須項目の不足など）・一括処理で失敗した学校あり、
2 使い方や入力の誤り、3 内部エラー（不具合）、130 中断（Ctrl-C）。
メッセージは日本語で表示します。英語にするときは --lang en を付けます。""",
    "init": "新しい学校の入力ファイルのひな形（説明付き）を書き出します（既定: school.yaml）。",
    "generate": """学校ごとに基本方針・保護者向けリーフレット・年間計画・児童生徒版をつくります（PDF と HTML）。

入力ファイルはすべて先に確かめ、一つでも誤りがあれば何も書き込みません（終了コード 2）。
ひな形の「○○」が残っている入力も受け付けず、書き換える項目を一覧で示します。""",
    "roster": """名簿（CSV または Excel、1行に1校）のすべての学校の文書をつくります。

誤りのある行は行番号とともに知らせ、ほかの学校はつくります。失敗した学校があれば終了コード 1。""",
    "check": """一つの学校の基本方針（関係資料を含む）をチェックリストで点検します。

いっしょに指定したファイルは一つの学校の資料として扱い、フォルダは一つの学校として扱います。
「-」は標準入力から一つの文書を読みます。終了コード 0: 不足なし（--fail-on による）、
1: 必須項目の不足あり、2: 使い方や入力の誤り。""",
    "checklist": "チェックリストの項目を一覧にし、説明します。",
    "checklist list": "すべての項目（id・重要度・名称・出典）を一覧にします。",
    "checklist show": "一つの項目を詳しく説明します：求められる理由、直し方、記載例、判定のルール。",
    "checklist test": """チェックリストの各項目の例文で、判定が正しいかを確かめます。

終了コード 0: すべて合格、1: 不合格の例文あり、2: チェックリストの誤り。""",
    "audit": """DIR の全校（学校ごとに1つのファイルかフォルダ）を点検し、教育委員会用の報告をつくります。

check と同じ点検・設定・免除を使います。全校が適合なら終了コード 0、必須項目が不足している
学校か読み取れない学校があれば 1、使い方の誤りは 2。読み取れないファイルは「読み取れません」
として別に扱い、「すべてなし」にはしません。出力フォルダ（-o）が以前の報告なら全体を置き換え、
ほかのファイルがあるフォルダには --force なしでは書き込みません。""",
    "diff": """同じ学校の基本方針の二つの版（ファイルかフォルダ）を比べます。

項目ごとの判定の変化（改善・後退）と、文章が変わった節を示します。必須項目が後退したら終了コード 1。""",
}

# (command path, parameter name) → Japanese help; ("*", name) applies to every command
OPTION_HELP_JA = {
    ("*", "help"): "この説明を表示して終了します。",
    ("*", "_click_default_help"): "この説明を表示して終了します。",
    ("*", "version"): "バージョンを表示して終了します。",
    ("*", "lang"): "メッセージの言語：ja（日本語、既定）または en（英語）。LANG/LC_ALL が en で始まるときは英語。",
    ("*", "checklist_name"): "チェックリスト：同梱の名前（asahikawa）か YAML ファイル［既定: asahikawa か設定ファイルの値］。",
    ("*", "config_path"): "設定ファイル policy-kit.toml か pyproject.toml［既定: 今のフォルダから上へ探す］。",
    ("*", "max_pages"): "これより多いページの PDF・Word は読みません。",
    ("*", "max_file_mb"): "これより大きいファイル（MB）は読みません。",
    ("*", "jobs"): "並行して動かす処理の数［既定: CPU の数］。",
    ("*", "progress"): "進み具合を表示します［既定: 端末で実行しているとき］。",
    ("init", "force"): "ファイルがあっても上書きします。",
    ("generate", "out"): "出力フォルダ。学校ごとに OUT/<学校ID>/ をつくります。",
    ("generate", "fmt"): "PDF・HTML・両方（both）のどれを書き出すか。",
    ("generate", "only"): "この文書だけをつくります（くり返し指定可）：policy・leaflet・program・pupils。",
    ("generate", "force"): "この学校の文書がすでにあっても上書きします。",
    ("generate", "check_only"): "入力を確かめるだけで、何も書き込みません。",
    ("roster", "out"): "出力フォルダ。",
    ("roster", "fmt"): "PDF・HTML・両方（both）のどれを書き出すか。",
    ("roster", "force"): "同じ学校の文書がすでにあっても上書きします。",
    ("check", "formats"): "報告の形式：text・json・sarif・junit・github（既定 text）。くり返し指定可。形式=ファイル でその形式をファイルに書きます。",
    ("check", "ignore"): "この項目を点検から外します（くり返し指定可）。",
    ("check", "fail_on"): "終了コード 1 にする条件：必須項目の不足（required、既定）、すべての不足（recommended）、不足か不十分（partial）。",
    ("check", "per_file"): "ファイルを一つずつ別の学校の資料として点検します。",
    ("check", "output"): "報告を標準出力でなくファイルに書きます。",
    ("check", "verbose"): "すべての項目について根拠の文を3つまで示します。",
    ("checklist list", "checklist_name"): "チェックリスト（同梱の名前か YAML ファイル）。",
    ("checklist show", "checklist_name"): "チェックリスト（同梱の名前か YAML ファイル）。",
    ("checklist test", "only"): "この項目だけを確かめます（くり返し指定可）。",
    ("checklist test", "no_parse"): "否定の判定に GiNZA の構文解析を使わず、チェックリストの否定表現だけで判定します（比較用）。",
    ("checklist test", "verbose"): "失敗した例文だけでなく、すべての例文を表示します。",
    ("audit", "out"): "報告を書き出すフォルダ（必須）。以前の報告なら全体を置き換えます。",
    ("audit", "force"): "報告ではないファイルがあるフォルダにも書き込みます（そのファイルは消しません）。",
    ("audit", "roster"): "学校名の名簿（CSV：path・id・name・kind の列）。",
    ("audit", "previous"): "以前の報告のフォルダ。改善・後退した項目を加えます。",
    ("audit", "board"): "通知の差出人［既定: チェックリストの教育委員会名］。",
    ("audit", "cache_dir"): "点検結果のキャッシュの場所［既定: ~/.cache/policy-kit/audit］。",
    ("audit", "no_cache"): "キャッシュを使わず、すべての学校を点検し直します。",
    ("audit", "no_pdf"): "学校ごとの通知を HTML だけで書き出します。",
    ("diff", "fmt"): "報告の形式：text か json。",
}

# words click appends to option help
DEFAULT_JA = "既定"
REQUIRED_JA = "必須"
