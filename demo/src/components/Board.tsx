import { useState } from 'preact/hooks';
import { cardsOf, sortedColumns, type BoardState, type State } from '../store.js';
import { PresenceDot, QuickAdd } from './common.js';
import { useApp } from './context.js';

/** Where a dragged card would land: after `afterCardId` (null: at the top) of a column. */
interface DropSpot {
  columnId: string;
  afterCardId: string | null;
}

export function BoardView({ state }: { state: State }) {
  const app = useApp();
  const board = state.board?.id === state.route.id ? state.board : null;
  return (
    <div class="board-view">
      <div class="toolbar">
        <select
          aria-label="Board"
          value={state.route.id ?? ''}
          onChange={(e) => app.navigate('board', (e.currentTarget as HTMLSelectElement).value)}
        >
          {!state.route.id && <option value="">Choose a board</option>}
          {state.boards.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
        <QuickAdd
          placeholder="New board name"
          label="Create board"
          onAdd={(name) => void app.guard(app.createBoard(name))}
        />
      </div>
      {board ? <Kanban state={state} board={board} /> : <p class="muted">No board open.</p>}
    </div>
  );
}

function Kanban({ state, board }: { state: State; board: BoardState }) {
  const app = useApp();
  const [dragged, setDragged] = useState<string | null>(null);
  const [spot, setSpot] = useState<DropSpot | null>(null);

  /** The card the pointer is below, in the column under it (the dragged card left out). */
  const spotAt = (columnId: string, list: HTMLElement, y: number): DropSpot => {
    const cards = [...list.querySelectorAll<HTMLElement>('[data-card-id]')].filter(
      (el) => el.dataset.cardId !== dragged,
    );
    const below = cards.findIndex((el) => {
      const r = el.getBoundingClientRect();
      return y < r.top + r.height / 2;
    });
    const index = below === -1 ? cards.length : below;
    return {
      columnId,
      afterCardId: index === 0 ? null : (cards[index - 1].dataset.cardId ?? null),
    };
  };

  const drop = (e: DragEvent, columnId: string): void => {
    e.preventDefault();
    const cardId = e.dataTransfer?.getData('text/plain') || dragged;
    const target = spotAt(columnId, e.currentTarget as HTMLElement, e.clientY);
    setDragged(null);
    setSpot(null);
    if (cardId) void app.guard(app.moveCard(cardId, target.columnId, target.afterCardId));
  };

  return (
    <>
      <div class="members">
        {board.members.map((m) => (
          <span key={m.userId} class="participant" title={m.role}>
            <PresenceDot state={state} userId={m.userId} />
            {m.displayName}
          </span>
        ))}
        <QuickAdd
          placeholder="User id to add"
          label="Add member"
          onAdd={(userId) => void app.guard(app.addBoardMember(board.id, userId))}
        />
      </div>
      <div class="columns">
        {sortedColumns(board).map((col) => (
          <section key={col.id} class="column" data-testid="column" data-title={col.title}>
            <h3>{col.title}</h3>
            <ol
              class={spot?.columnId === col.id ? 'cards drop-target' : 'cards'}
              onDragOver={(e) => {
                e.preventDefault();
                setSpot(spotAt(col.id, e.currentTarget, e.clientY));
              }}
              onDragLeave={() => setSpot(null)}
              onDrop={(e) => drop(e, col.id)}
            >
              {cardsOf(board, col.id).map((card) => (
                <li
                  key={card.id}
                  class={dragged === card.id ? 'kcard dragging' : 'kcard'}
                  draggable
                  data-card-id={card.id}
                  data-testid="card"
                  onDragStart={(e) => {
                    e.dataTransfer?.setData('text/plain', card.id);
                    if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
                    setDragged(card.id);
                  }}
                  onDragEnd={() => {
                    setDragged(null);
                    setSpot(null);
                  }}
                >
                  {card.title}
                </li>
              ))}
            </ol>
            <QuickAdd
              placeholder="Add a card"
              label="Add"
              onAdd={(title) => void app.guard(app.addCard(board.id, col.id, title))}
            />
          </section>
        ))}
        <section class="column new-column">
          <QuickAdd
            placeholder="New column"
            label="Add column"
            onAdd={(title) => void app.guard(app.addColumn(board.id, title))}
          />
        </section>
      </div>
    </>
  );
}
