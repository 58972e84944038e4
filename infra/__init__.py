"""`infra`: preview, diff and check Pulumi Python stacks offline, and smoke-test deployed ones.

Data flows one way (the import-linter contracts in pyproject.toml hold it):

    engine/    a Pulumi Python project directory -> Plan (mock runtime, fakes, values, files)
    policy/    Plan -> verdicts, hosting policy packs over the CLI's gRPC Analyzer protocol
    compare    Plan x Plan -> Diff
    readers/   Plan -> what it costs a month (from the price tables in prices/)
    render/    plans, diffs and costs as text, JSON, Markdown
    repo/      a repository's rules as data ([tool.infra] in pyproject.toml): affected, smoke
    pipeline   stacks -> plans with verdicts: the engine, then the policy host
    commands/  one thin module per subcommand, shared options; exit_codes, git
"""
