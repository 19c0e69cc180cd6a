package dev.vellum.cli;

import dev.vellum.Row;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Plain-text tables for a terminal. */
final class Table {
    private static final int MAX_WIDTH = 60;

    private Table() {}

    static void keyValues(PrintWriter out, String[][] pairs) {
        int width = 0;
        for (String[] p : pairs) {
            width = Math.max(width, p[0].length());
        }
        for (String[] p : pairs) {
            out.println(pad(p[0], width) + "  " + p[1]);
        }
        out.flush();
    }

    static void rows(PrintWriter out, List<String> columns, List<Row> rows) {
        List<List<String>> cells = new ArrayList<>();
        for (Row row : rows) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                Object v = row.get(i);
                line.add(v == null ? "NULL" : v instanceof byte[] b ? "<" + b.length + " bytes>" : v.toString());
            }
            cells.add(line);
        }
        text(out, columns, cells);
        out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
        out.flush();
    }

    static void text(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            widths[i] = header.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] =
                        Math.min(MAX_WIDTH, Math.max(widths[i], clip(row.get(i)).length()));
            }
        }
        out.println(line(header, widths));
        StringBuilder rule = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            rule.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
        }
        out.println(rule);
        for (List<String> row : rows) {
            out.println(line(row, widths));
        }
        out.flush();
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            text.append(i == 0 ? "" : " | ").append(pad(clip(cells.get(i)), widths[i]));
        }
        return text.toString().stripTrailing();
    }

    /** One line per cell, cut to the column limit so a long value cannot wreck the table. */
    private static String clip(String value) {
        String flat = value.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
        return flat.length() <= MAX_WIDTH ? flat : flat.substring(0, MAX_WIDTH - 1) + "…";
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
