/* main.c - dispatches to a command; the work is in the engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef CS_VERSION
#define CS_VERSION "0.0.0"
#endif

static const cs_command commands[] = {
    {"triage", cs_cmd_triage, "find, group and explain every crash in CI artifacts",
     CS_OPTSET_ANALYSIS | CS_OPTSET_OUTPUT | CS_OPTSET_REPORT | CS_OPTSET_RECORD, "PATH..."},
    {"inventory", cs_cmd_inventory, "list every member found, with its kind and size",
     CS_OPTSET_COMMON, "PATH..."},
    {"explain", cs_cmd_explain, "show why traces got their signatures and clusters",
     CS_OPTSET_ANALYSIS | CS_OPTSET_EXPLAIN, "PATH..."},
    {"extract", cs_cmd_extract, "write what triage finds in PATHs to a shard file, for merge",
     CS_OPTSET_COMMON | CS_OPTSET_RULES | CS_OPTSET_CORES | CS_OPTSET_OUTPUT, "-o FILE PATH..."},
    {"merge", cs_cmd_merge, "triage many shards as one run (the same report as one triage)",
     CS_OPTSET_COMMON | CS_OPTSET_RULES | CS_OPTSET_GROUPING | CS_OPTSET_OUTPUT | CS_OPTSET_REPORT |
         CS_OPTSET_RECORD,
     "SHARD..."},
    {"history", cs_cmd_history, "list clusters and race pairs recorded with triage --db",
     CS_OPTSET_HISTORY, "[ID]"},
    {"man", cs_cmd_man, "print the manual page (roff) written from the option tables", 0, ""},
    {"completion", cs_cmd_completion, "print a bash completion script", 0, "bash"},
};

const cs_command *cs_cli_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    abort(); /* a command parses its own name: a typo here is a bug */
}

const cs_command *cs_cli_commands(size_t *n)
{
    *n = sizeof commands / sizeof commands[0];
    return commands;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: crashsift <command> [options] PATH...\n\n"
            "Post-mortem triage of CI artifacts: folders, zips (also inside zips), .gz/.xz/.zst\n"
            "files, logs, go test -json, JUnit XML.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'crashsift <command> --help' shows a command's options.\n"
               "  --version    print the version\n\n"
               "exit status: 0 the run finished (error entries for bad inputs are part of the\n"
               "report); 1 it finished and found what --fail-on names; 2 usage error, a missing\n"
               "input, or a fatal error.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CS_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return CS_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("crashsift %s\n", CS_VERSION);
        return CS_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, cmd) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "crashsift: unknown command '%s'\nTry 'crashsift --help'.\n", cmd);
    return CS_EXIT_USAGE;
}
