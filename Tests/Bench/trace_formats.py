# Writes a trace in the id,gap,arrival,prompt,output CSV that the B1 peer (b1_heapq.py --dump-trace)
# dumps as Azure CSV, BurstGPT CSV and Mooncake JSON lines, for `headroom bench --trace`
# (rows per second per format). Usage: python3 trace_formats.py B1.csv OUTDIR
import csv, datetime, sys
src, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(src)))
base = datetime.datetime(2023, 11, 16)
with open(out + "/b1-azure.csv", "w") as f:
    f.write("TIMESTAMP,ContextTokens,GeneratedTokens\n")
    for r in rows:
        t = base + datetime.timedelta(microseconds=round(float(r["arrival"]) * 1e6))
        f.write(t.strftime("%Y-%m-%d %H:%M:%S.%f") + "0," + r["prompt"] + "," + r["output"] + "\n")
with open(out + "/b1-burstgpt.csv", "w") as f:
    f.write("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n")
    for r in rows:
        f.write("%s,ChatGPT,%s,%s,%d,Conversation log\n" % (r["arrival"], r["prompt"], r["output"], int(r["prompt"]) + int(r["output"])))
with open(out + "/b1-mooncake.jsonl", "w") as f:
    for i, r in enumerate(rows):
        f.write('{"timestamp": %d, "input_length": %s, "output_length": %s, "hash_ids": [%d, %d]}\n'
                % (round(float(r["arrival"]) * 1000), r["prompt"], r["output"], 2 * i, 2 * i + 1))
