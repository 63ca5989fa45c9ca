/**
 * The pattern of the settings pages that act on a list: a note saying what
 * happened (or why not), a confirmation asked before a destructive action
 * (the key of what is being confirmed), and a tick that reloads the list.
 */
import { useState } from 'preact/hooks';

export type Note = { ok: boolean; text: string } | undefined;

export const errorText = (e: unknown) => (e instanceof Error ? e.message : 'something went wrong');

export function useActions() {
  const [note, setNote] = useState<Note>(undefined);
  const [confirm, setConfirm] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const reload = () => setTick((n) => n + 1);
  /** Runs `call`; notes `text` or the error; ends any confirmation; reloads. */
  const act = async (text: string, call: () => Promise<unknown>) => {
    try {
      await call();
      setNote({ ok: true, text });
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    }
    setConfirm(undefined);
    reload();
  };
  return { note, setNote, confirm, setConfirm, tick, reload, act };
}
