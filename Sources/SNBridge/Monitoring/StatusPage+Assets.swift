extension StatusPage {
    /// The page's only style sheet: readable on a phone (tables scroll sideways), light and dark.
    static let style = """
        :root{color-scheme:light dark;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--mute:#6e7781}
        body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:0 .75rem}
        h1{font-size:1.4rem;margin:.6rem 0 .2rem}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}small{color:var(--mute)}
        header p{margin:.2rem 0 .6rem}.scroll{overflow-x:auto}.pages{margin:.3rem 0;font-size:.85rem;color:var(--mute)}.pages a{color:inherit}
        table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #8884;white-space:nowrap;vertical-align:top}
        th{font-weight:600}td.id{max-width:24ch;overflow:hidden;text-overflow:ellipsis}pre{margin:.2rem 0;white-space:pre-wrap;max-width:40ch}
        .s-connected,.s-online,.e-joined{color:var(--ok)}.s-asleep,.s-linked,.s-opening,.s-connecting,.s-awake{color:var(--warn)}
        .s-lost,.s-error,.s-offline,.s-disconnected,.e-left,.e-error{color:var(--bad)}.s-present,.s-not_monitored{color:var(--mute)}
        ol{padding-left:1.5rem;font-size:.9rem}time{color:var(--mute)}footer{margin:1.5rem 0;color:var(--mute);font-size:.85rem}
        footer a{color:inherit}
        """

    /// Progressive enhancement: without JavaScript the page is what the server rendered. With it, the page follows
    /// the event stream and redraws its own page of rows (`data-offset`, `data-limit` on `<body>`) from the paged
    /// lists, whose `X-Total-Count` keeps the counts and the paging links right.
    static let script = """
        (function(){
        if(!window.EventSource||!window.fetch)return;
        var body=document.body,live=document.getElementById('live'),pending=null;
        var offset=Number(body.getAttribute('data-offset'))||0,limit=Number(body.getAttribute('data-limit'))||\(defaultLimit);
        var query='?offset='+offset+'&limit='+limit;
        function esc(s){return String(s==null?'':s).replace(/[&<>"']/g,function(c){return{'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
        function dur(s){if(s<60)return s+'s';if(s<3600)return Math.floor(s/60)+'m '+(s%60)+'s';if(s<86400)return Math.floor(s/3600)+'h '+Math.floor(s%3600/60)+'m';return Math.floor(s/86400)+'d '+Math.floor(s%86400/3600)+'h';}
        function ago(t){if(!t)return'–';return dur(Math.max(0,Math.floor((Date.now()-Date.parse(t))/1000)))+' ago';}
        function pager(id,shown,total,api){
          var p=document.getElementById(id);if(!p)return;
          var h='rows <span class="rows">'+(shown?offset+1:offset)+'–'+(offset+shown)+'</span> of <span class="total">'+total+'</span>';
          if(offset>0)h+=' · <a rel="prev" href="/?offset='+Math.max(0,offset-limit)+'&limit='+limit+'">‹ previous '+limit+'</a>';
          if(offset+limit<total)h+=' · <a rel="next" href="/?offset='+(offset+limit)+'&limit='+limit+'">next '+limit+' ›</a>';
          p.innerHTML=h+' · <a href="'+api+query+'">JSON</a>';
        }
        function drawDevices(list,total){
          var tbody=document.querySelector('#devices tbody'),consoles={};
          tbody.querySelectorAll('tr[data-device]').forEach(function(r){consoles[r.getAttribute('data-device')]=r.lastElementChild.innerHTML;});
          tbody.innerHTML=list.map(function(d){var c=d.counters||{};
            var t=d.origin==='udp'?(c.messages_in||0)+' / '+(c.messages_out||0)+' msgs':(c.frames_in||0)+' / '+(c.frames_out||0)+' frames';
            return '<tr data-device="'+esc(d.id)+'"><td class="id" title="'+esc(d.id)+'">'+esc(d.id)+'</td><td class="s-'+esc(d.state)+'">'+esc(d.state+(d.reason?': '+d.reason:''))+'</td><td class="'+(d.online?'s-online':'s-offline')+'">'+(d.online?'online':'offline')+'</td><td>'+(d.client?esc(d.client.id+' ('+d.client.state+')'):'–')+'</td><td>'+ago(d.last_seen)+'</td><td>'+t+'</td><td>'+(c.relinks||0)+'</td><td>'+esc(d.origin)+'</td><td class="id" title="'+esc(d.path)+'">'+esc(d.path)+'</td><td>'+(consoles[d.id]||'')+'</td></tr>';}).join('');
          document.getElementById('device-count').textContent=total;
          pager('device-pages',list.length,total,'/api/devices');
        }
        function drawSessions(list,total){
          document.querySelector('#sessions tbody').innerHTML=list.map(function(s){
            return '<tr><td class="id" title="'+esc(s.client_id)+'">'+esc(s.client_id)+'</td><td class="s-'+esc(s.state)+'">'+esc(s.state)+'</td><td>'+s.topics+'</td><td>'+s.pending_messages+'</td><td>'+s.messages_in+' / '+s.messages_out+'</td><td>'+ago(s.last_heard)+'</td><td class="id" title="'+esc(s.address)+'">'+esc(s.address)+'</td></tr>';}).join('');
          document.getElementById('session-count').textContent=total;
          pager('session-pages',list.length,total,'/api/sessions');
        }
        function paged(path){return fetch(path+query).then(function(r){return r.json().then(function(list){return{list:list,total:Number(r.headers.get('X-Total-Count'))||list.length};});});}
        function counted(){body.setAttribute('data-updates',String(Number(body.getAttribute('data-updates'))+1));}
        function refresh(){
          pending=null;
          Promise.all([paged('/api/devices'),paged('/api/sessions'),fetch('/healthz').then(function(r){return r.json();})])
          .then(function(a){drawDevices(a[0].list,a[0].total);drawSessions(a[1].list,a[1].total);var b=document.getElementById('broker');b.textContent=a[2].broker;b.className='s-'+a[2].broker;document.getElementById('health').textContent=a[2].reason||'healthy';counted();})
          .catch(function(){});
        }
        function soon(){if(!pending)pending=setTimeout(refresh,150);}
        var source=new EventSource('/api/events/stream');
        source.onopen=function(){live.textContent='live';soon();};
        source.onerror=function(){live.textContent='reconnecting';};
        source.addEventListener('device',function(m){var e=JSON.parse(m.data),li=document.createElement('li');
          li.innerHTML='<time>'+esc(e.time)+'</time> <b class="e-'+esc(e.event)+'">'+esc(e.event)+'</b> '+esc(e.device)+(e.reason?' – '+esc(e.reason):'');
          var ol=document.getElementById('events');ol.insertBefore(li,ol.firstChild);soon();});
        source.addEventListener('forgotten',soon);
        source.addEventListener('devices',soon);
        source.addEventListener('console',function(m){var c=JSON.parse(m.data),row=document.querySelector('tr[data-device="'+CSS.escape(c.device)+'"]');
          if(!row)return;var cell=row.lastElementChild,pre=cell.querySelector('pre');
          if(!pre){cell.innerHTML='<details><summary>console</summary><pre></pre></details>';pre=cell.querySelector('pre');}
          pre.textContent=(pre.textContent?pre.textContent+'\\n':'')+c.line;});
        setInterval(soon,10000);
        })();
        """
}
