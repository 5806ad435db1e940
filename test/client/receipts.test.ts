/**
 * The pending receipts of `deliver()` on their own: resolved once every target is final, a
 * final status never changed, a timeout with the statuses so far, a drop rejecting.
 */

import { describe, expect, it } from "vitest";
import { DroppedFramesError } from "../../src/client/errors.js";
import { outgoingOfText } from "../../src/client/outgoing.js";
import { Receipts, ReceiptTimeoutError } from "../../src/client/receipts.js";

const SID = "k3J9xq0aTz1c";

describe("Receipts", () => {
  it("resolves once every target named has a final status, and keeps a final one", async () => {
    const receipts = new Receipts(SID);
    const promise = receipts.expect(7, 5_000);
    receipts.take({ sid: SID, seq: 7, status: { A: "delivered", B: "stored", C: "sent" } });
    expect(receipts.pending).toBe(1);
    // Another stream's receipt, or another frame's, changes nothing.
    receipts.take({ sid: "other", seq: 7, status: { B: "confirmed", C: "confirmed" } });
    receipts.take({ sid: SID, seq: 8, status: { B: "confirmed", C: "confirmed" } });
    // A resend's receipt: A's final status stays.
    receipts.take({ sid: SID, seq: 7, status: { A: "uncertain", B: "confirmed" } });
    expect(receipts.pending).toBe(1);
    receipts.take({ sid: SID, seq: 7, status: { C: "refused" }, code: "RATE_LIMITED" });
    await expect(promise).resolves.toEqual({
      sid: SID,
      seq: 7,
      status: { A: "delivered", B: "confirmed", C: "refused" },
      code: "RATE_LIMITED",
    });
    expect(receipts.pending).toBe(0);
    // Late receipts for a settled frame are ignored.
    receipts.take({ sid: SID, seq: 7, status: { A: "expired" } });
  });

  it("rejects after its timeout with the statuses so far", async () => {
    const receipts = new Receipts(SID);
    const silent = receipts.expect(1, 5).catch((caught: unknown) => caught);
    const partial = receipts.expect(2, 5);
    receipts.take({ sid: SID, seq: 2, status: { A: "confirmed", B: "stored" } });
    const error = await partial.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReceiptTimeoutError);
    expect(error).toMatchObject({
      code: "RECEIPT_TIMEOUT",
      timeout: 5,
      receipt: { sid: SID, seq: 2, status: { A: "confirmed", B: "stored" } },
    });
    expect((error as ReceiptTimeoutError).message).toMatch(/no final status for B within 5 ms/);
    expect(await silent).toMatchObject({ receipt: { seq: 1, status: {} } });
    expect(receipts.pending).toBe(0);
  });

  it("rejects with the drop's error when the frame was dropped unsent", async () => {
    const receipts = new Receipts(SID);
    const promise = receipts.expect(3, 0);
    const frame = { ...outgoingOfText('{"type":"n","target":"B"}'), seq: 3, receipt: true };
    const dropped = DroppedFramesError.closed([frame.text], "close() was called");
    receipts.lost([frame], dropped);
    await expect(promise).rejects.toBe(dropped);
    expect(receipts.pending).toBe(0);
  });
});
