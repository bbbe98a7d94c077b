// Mounts the examples as a React app and a Vue app on one page, sharing one Shelfwise instance.
import { createRoot } from 'react-dom/client';
import { createApp, h } from 'vue';
import { init } from 'shelfwise';
import { ShelfwiseShelf } from './ShelfwiseShelf.jsx';
import VueShelfwiseShelf from './ShelfwiseShelf.vue';

const shelfwise = init({ pack: '/shop.pack' });
createRoot(document.getElementById('react')).render(<ShelfwiseShelf shelfwise={shelfwise} kind="for-you" count={4} />);
createApp({ render: () => h(VueShelfwiseShelf, { shelfwise, kind: 'for-you', count: 4 }) }).mount('#vue');
window.app = { shelfwise };
